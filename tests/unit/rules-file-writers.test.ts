import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { PreconditionFailedError } from '../../src/errors';
import { RulesService } from '../../src/rules/rules-service';
import { createSchemaRegistry } from '../../src/schemas/registry';
import { makeTempDir } from '../helpers/test-app';
import { rule, rulesDoc } from '../helpers/rules';

// Two RulesService objects on one file stand for two service instances on one disk: each has its
// own in-process queue, so only the file lock keeps their writes from interleaving.
async function twoWriters() {
  const dir = makeTempDir();
  const file = path.join(dir, 'rules.json');
  fs.writeFileSync(file, JSON.stringify(rulesDoc(rule('seed')), null, 2));
  const make = () =>
    new RulesService({ file, watch: false, debounceMs: 10, schemas: createSchemaRegistry(), clock: new ManualClock(), logger: winston.createLogger({ silent: true }) });
  const a = make();
  const b = make();
  await a.load();
  await b.load();
  return { file, a, b };
}

describe('rules file writers in several instances', () => {
  it('loses no edit when two instances write at the same moment', async () => {
    const { file, a, b } = await twoWriters();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).create(rule(`r${i}`))));
    const names = JSON.parse(fs.readFileSync(file, 'utf8')).rules.map((r: { name: string }) => r.name);
    expect(names).toHaveLength(21);
    expect(new Set(names).size).toBe(21);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('lets exactly one of two writers with the same If-Match win', async () => {
    const { a, b } = await twoWriters();
    const version = a.current().version;
    const results = await Promise.allSettled([
      a.patch('seed', { enabled: false }, `"${version}"`),
      b.patch('seed', { priority: 99 }, `"${version}"`),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PreconditionFailedError);
  });
});
