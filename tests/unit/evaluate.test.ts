import type { Rule, Ruleset } from '../../src/domain/rule';
import { Evaluator } from '../../src/engine/evaluate';
import { normalizedRule } from '../helpers/rules';

function rulesetOf(...rules: Rule[]): Ruleset {
  return { rules, byName: new Map(rules.map((r) => [r.name, r])), version: 'v1', loadedAt: new Date('2026-03-01T10:00:00Z') };
}

const above = (fact: string, value: number, path?: string) => ({ fact, operator: 'greaterThan', value, ...(path ? { path } : {}) });
const whenAbove = (fact: string, value: number, path?: string): Rule['conditions'] => ({ all: [above(fact, value, path)] });

const names = (evaluations: Array<{ rule: Rule }>) => evaluations.map((e) => e.rule.name);
const matchedNames = (evaluations: Array<{ rule: Rule; matched: boolean }>) => names(evaluations.filter((e) => e.matched));

describe('Evaluator', () => {
  it('lists every rule once, highest priority first, ties in file order', async () => {
    const ruleset = rulesetOf(
      normalizedRule('low', { priority: 1, conditions: whenAbove('errorRate', 0.05) }),
      normalizedRule('tie-b', { priority: 5, conditions: whenAbove('errorRate', 0.05) }),
      normalizedRule('never', { priority: 9, conditions: whenAbove('errorRate', 0.9) }),
      normalizedRule('mid', { priority: 3, conditions: whenAbove('errorRate', 0.05) }),
      normalizedRule('tie-a', { priority: 5, conditions: whenAbove('errorRate', 0.05) }),
    );
    const evaluator = new Evaluator();
    // Simulate reports matched and unmatched alike, in priority order; ingest gets the matches only.
    const result = await evaluator.evaluateRules(ruleset.rules, ruleset, { errorRate: 0.07 });
    expect(names(result)).toEqual(['never', 'tie-b', 'tie-a', 'mid', 'low']);
    expect(matchedNames(result)).toEqual(['tie-b', 'tie-a', 'mid', 'low']);
    expect(names((await evaluator.evaluateEnabled(ruleset, { errorRate: 0.07 })).list())).toEqual(['tie-b', 'tie-a', 'mid', 'low']);
  });

  it('keeps file order for equal priorities whatever order the engine finishes in', async () => {
    const rules = Array.from({ length: 12 }, (_, i) =>
      normalizedRule(`r${String(i).padStart(2, '0')}`, { priority: 2, conditions: whenAbove('x', i % 3 === 0 ? 100 : 0) }),
    );
    const ruleset = rulesetOf(...rules.slice().reverse());
    const result = await new Evaluator().evaluateRules(ruleset.rules, ruleset, { x: 1 });
    expect(names(result)).toEqual(rules.map((r) => r.name).reverse());
    const matched = (await new Evaluator().evaluateEnabled(ruleset, { x: 1 })).list();
    expect(names(matched)).toEqual(rules.filter((_, i) => i % 3 !== 0).map((r) => r.name).reverse());
  });

  it('evaluates only enabled rules for ingest, and any rules given for simulate', async () => {
    const on = normalizedRule('on', { conditions: whenAbove('errorRate', 0.05) });
    const off = normalizedRule('off', { enabled: false, conditions: whenAbove('errorRate', 0.05) });
    const ruleset = rulesetOf(on, off);
    const evaluator = new Evaluator();
    expect(names((await evaluator.evaluateEnabled(ruleset, { errorRate: 0.5 })).list())).toEqual(['on']);
    const simulated = await evaluator.evaluateRules([off], ruleset, { errorRate: 0.5 });
    expect(simulated).toHaveLength(1);
    expect(simulated[0]).toMatchObject({ matched: true, rule: off });
  });

  it('reports the fact values that triggered a match, and only the conditions that failed otherwise', async () => {
    const both = normalizedRule('both', {
      conditions: { all: [above('errorRate', 0.05), above('ollama', 5000, '$.avgResponseTimeMs')] },
    });
    const either = normalizedRule('either', {
      conditions: { any: [above('costPerHour', 10), above('memoryPercent', 90)] },
    });
    const evaluator = new Evaluator();
    const facts = { errorRate: 0.07, ollama: { avgResponseTimeMs: 6200, errorRate: 0.01 }, costPerHour: 3, memoryPercent: 95 };
    const [b, e] = await evaluator.evaluateRules([both, either], rulesetOf(both, either), facts);
    // Ingest works the same explanation out when it records an action.
    const ingested = (await evaluator.evaluateEnabled(rulesetOf(both, either), facts)).list();
    expect(ingested.map((x) => x.matchedFacts)).toEqual([b!.matchedFacts, e!.matchedFacts]);
    expect(b).toEqual({ rule: both, matched: true, matchedFacts: { errorRate: 0.07, 'ollama.avgResponseTimeMs': 6200 }, failedConditions: [] });
    // Of an `any`, only the condition that held names a triggering value.
    expect(e).toMatchObject({ matched: true, matchedFacts: { memoryPercent: 95 }, failedConditions: [] });
    expect(e!.matchedFacts).not.toHaveProperty('costPerHour');

    const [miss] = await evaluator.evaluateRules([both], rulesetOf(both), { errorRate: 0.07, ollama: { avgResponseTimeMs: 800 } });
    expect(miss).toEqual({
      rule: both,
      matched: false,
      matchedFacts: {},
      failedConditions: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000, factValue: 800, result: false }],
    });
  });

  it('treats a missing fact or a missing path as "not matched", never as an error', async () => {
    const queue = normalizedRule('queue', { conditions: whenAbove('queue', 1000, '$.waiting') });
    const status = normalizedRule('status', {
      conditions: { all: [{ fact: 'services', path: '$.agentx.status', operator: 'equal', value: 'errored' }] },
    });
    const negated = normalizedRule('negated', { conditions: { not: { all: [{ fact: 'maintenance', operator: 'equal', value: true }] } } });
    const evaluator = new Evaluator();
    const ruleset = rulesetOf(queue, status, negated);

    const empty = (await evaluator.evaluateEnabled(ruleset, {})).list();
    expect(matchedNames(empty)).toEqual(['negated']);
    const explained = await evaluator.evaluateRules(ruleset.rules, ruleset, {});
    expect(explained.find((e) => e.rule.name === 'queue')!.failedConditions).toEqual([
      { fact: 'queue', path: '$.waiting', operator: 'greaterThan', value: 1000, factValue: undefined, result: false },
    ]);

    const partial = (await evaluator.evaluateEnabled(ruleset, { queue: { processing: 3 }, services: { rag: { status: 'errored' } } })).list();
    expect(matchedNames(partial)).toEqual(['negated']);

    const deep = (await evaluator.evaluateEnabled(ruleset, { queue: { waiting: 1500 }, services: { agentx: { status: 'errored' } }, maintenance: true })).list();
    expect(matchedNames(deep)).toEqual(['queue', 'status']);
    expect(deep.find((e) => e.rule.name === 'status')!.matchedFacts).toEqual({ 'services.agentx.status': 'errored' });
  });

  it('gives overlapping evaluations exactly what sequential ones give', async () => {
    const ruleset = rulesetOf(
      normalizedRule('errors', { priority: 3, conditions: whenAbove('errorRate', 0.05) }),
      normalizedRule('latency', { priority: 2, conditions: whenAbove('ollama', 5000, '$.avgResponseTimeMs') }),
      normalizedRule('cost', { priority: 2, conditions: { any: [above('costPerHour', 10), above('memoryPercent', 90)] } }),
      normalizedRule('disk', { priority: 1, conditions: whenAbove('diskPercent', 90) }),
    );
    const snapshots = Array.from({ length: 60 }, (_, i) => ({
      errorRate: (i % 7) / 50,
      ollama: { avgResponseTimeMs: (i % 5) * 1500 },
      costPerHour: i % 13,
      memoryPercent: 80 + (i % 17),
      ...(i % 4 === 0 ? {} : { diskPercent: 85 + (i % 11) }),
    }));
    const sequential = [];
    const evaluator = new Evaluator();
    for (const facts of snapshots) sequential.push((await evaluator.evaluateEnabled(ruleset, facts)).list());
    // Staggered by a growing number of microtasks, so one run finishes while others are between
    // priority groups: with one shared json-rules-engine Engine, those would skip their remaining rules.
    const concurrent = await Promise.all(
      snapshots.map(async (facts, i) => {
        for (let k = 0; k < i * 4; k += 1) await Promise.resolve();
        return evaluator.evaluateEnabled(ruleset, facts).then((e) => e.list());
      }),
    );
    expect(concurrent).toEqual(sequential);
    // Not a vacuous comparison: the snapshots really differ in what they match.
    expect(new Set(sequential.map((r) => matchedNames(r).join(','))).size).toBeGreaterThan(5);
  });

  it('skips leaves that cannot change a result, yet fails a rule whose skipped leaf would throw, as json-rules-engine does', async () => {
    // The first leaf is false, so the second cannot change the result; it is still evaluated when
    // its value could throw on conversion (the engine evaluates every leaf), and only then.
    const ruleset = rulesetOf(
      normalizedRule('guarded', { conditions: { all: [above('load', 10), above('latency', 100)] } }),
      normalizedRule('listed', { conditions: { any: [{ fact: 'load', operator: 'lessThan', value: 100 }, { fact: 'region', operator: 'in', value: 'eu-west' }] } }),
    );
    const evaluator = new Evaluator();
    const benign = await evaluator.evaluateRules(ruleset.rules, ruleset, { load: 1, latency: { ms: 5 }, region: ['x'] });
    expect(benign.map((e) => [e.rule.name, e.matched, e.error])).toEqual([['guarded', false, undefined], ['listed', true, undefined]]);
    expect(names((await evaluator.evaluateEnabled(ruleset, { load: 1, latency: { ms: 5 }, region: ['x'] })).list())).toEqual(['listed']);

    const hostile = { load: 1, latency: { toString: 1 }, region: [{ valueOf: 2, toString: 3 }] };
    const failed = (await evaluator.evaluateEnabled(ruleset, hostile)).list();
    expect(failed.map((e) => [e.rule.name, e.matched, typeof e.error])).toEqual([['guarded', false, 'string'], ['listed', false, 'string']]);
    const nullPrototype = { load: 1, latency: Object.create(null) as object };
    expect((await evaluator.evaluateEnabled(ruleset, nullPrototype)).list().map((e) => [e.rule.name, typeof e.error])).toEqual([['guarded', 'string'], ['listed', 'undefined']]);
  });

  it('evaluates a new ruleset (a rules file reload) with its own rules, not the previous ones', async () => {
    const evaluator = new Evaluator();
    const first = rulesetOf(normalizedRule('a', { conditions: whenAbove('errorRate', 0.05) }));
    expect(matchedNames((await evaluator.evaluateEnabled(first, { errorRate: 0.1 })).list())).toEqual(['a']);
    const second = rulesetOf(normalizedRule('a', { conditions: whenAbove('errorRate', 0.5) }), normalizedRule('b', { conditions: whenAbove('errorRate', 0.05) }));
    const after = await evaluator.evaluateRules(second.rules, second, { errorRate: 0.1 });
    expect(names(after)).toEqual(['a', 'b']);
    expect(matchedNames(after)).toEqual(['b']);
    expect(names((await evaluator.evaluateEnabled(second, { errorRate: 0.1 })).list())).toEqual(['b']);
  });
});
