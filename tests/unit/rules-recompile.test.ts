import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import type { Ruleset } from '../../src/domain/rule';
import { Evaluator } from '../../src/engine/evaluate';
import { RulesService } from '../../src/rules/rules-service';
import { createSchemaRegistry } from '../../src/schemas/registry';
import { makeTempDir } from '../helpers/test-app';
import { rule, rulesDoc } from '../helpers/rules';

describe('a rules change is compiled before it takes effect', () => {
  it('keeps answering with the old version until the new one is compiled, then switches', async () => {
    const file = path.join(makeTempDir(), 'rules.json');
    fs.writeFileSync(file, JSON.stringify(rulesDoc(rule('old'))));
    const evaluator = new Evaluator();
    let release: () => void = () => undefined;
    let gate: Promise<void> | null = null;
    const rules = new RulesService({
      file,
      watch: false,
      debounceMs: 10,
      schemas: createSchemaRegistry(),
      clock: new ManualClock(),
      logger: winston.createLogger({ silent: true }),
      prepare: async (ruleset: Ruleset) => {
        await evaluator.prepare(ruleset);
        if (gate) await gate;
      },
    });
    await rules.load();
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = rules.create(rule('new'));
    // While the new version compiles, snapshots are evaluated against the old one.
    await new Promise((resolve) => setImmediate(resolve));
    const during = (await evaluator.evaluateEnabled(rules.current(), { errorRate: 0.5 })).list();
    expect(during.map((e) => e.rule.name)).toEqual(['old']);
    release();
    await write;
    const after = (await evaluator.evaluateEnabled(rules.current(), { errorRate: 0.5 })).list();
    expect(after.map((e) => e.rule.name)).toEqual(['old', 'new']);
    expect(after.map((e) => evaluator.modeOf(e.rule).evaluation)).toEqual(['compiled', 'compiled']);
  });
});
