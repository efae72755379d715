import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Rule, Ruleset } from '../../src/domain/rule';
import { matchedFactValues } from '../../src/engine/condition-outcomes';
import { Evaluator, type RuleEvaluation } from '../../src/engine/evaluate';
import { type InterpretedOutcome, RuleInterpreter } from '../../src/engine/interpreter';
import { guardableMetricsArb, guardableRulesArb, guardableRulesArbOf, metricsArb, rulesArb } from '../helpers/rule-arbitraries';

/**
 * json-rules-engine is the oracle: for generated rules and snapshots, the compiled evaluator must
 * match, explain and fail exactly where the engine does, for ingest (with the fact index) and for
 * simulate. Rerun a failure with DIFF_SEED=<seed printed below> (and DIFF_RUNS to change the count).
 */
const RUNS = Number(process.env.DIFF_RUNS ?? 20_000);
const GUARD_RUNS = Math.ceil(RUNS / 2);
const MANY_RULES_RUNS = Math.ceil(RUNS / 40);
const SEED = process.env.DIFF_SEED !== undefined ? Number(process.env.DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);

type Oracle = { rule: Rule; threw: true } | ({ rule: Rule; threw: false } & InterpretedOutcome);

async function oracle(rule: Rule, metrics: Record<string, unknown>): Promise<Oracle> {
  try {
    return { rule, threw: false, ...(await new RuleInterpreter(rule).evaluate(metrics)) };
  } catch {
    return { rule, threw: true };
  }
}

function byPriority(rules: Rule[]): Rule[] {
  return rules.map((r, i) => [r, i] as const).sort((x, y) => y[0].priority - x[0].priority || x[1] - y[1]).map(([r]) => r);
}

function sameAsOracle(ours: RuleEvaluation, expected: Oracle): boolean {
  if (expected.threw) return ours.error !== undefined && !ours.matched;
  if (ours.error !== undefined || ours.matched !== expected.matched) return false;
  return expected.matched
    ? isDeepStrictEqual(ours.matchedFacts, matchedFactValues(expected.leaves)) && ours.failedConditions.length === 0
    : isDeepStrictEqual(ours.failedConditions, expected.leaves.filter((l) => !l.result)) && isDeepStrictEqual(ours.matchedFacts, {});
}

/** One case: simulate and ingest (through the indexes) agree with the engine on every rule. */
async function agreesWithOracle(evaluator: Evaluator, rules: Rule[], metrics: Record<string, unknown>): Promise<void> {
  const ruleset: Ruleset = { rules, byName: new Map(rules.map((r) => [r.name, r])), version: 'v', loadedAt: new Date(0) };
  const ordered = byPriority(rules);
  const expected = await Promise.all(ordered.map((r) => oracle(r, metrics)));
  for (const rule of rules) expect(evaluator.modeOf(rule)).toEqual({ evaluation: 'compiled' });

  // Simulate: every rule, explained.
  const all = await evaluator.evaluateRules(rules, ruleset, metrics);
  expect(all.map((e) => e.rule.name)).toEqual(ordered.map((r) => r.name));
  all.forEach((e, i) => {
    if (!sameAsOracle(e, expected[i]!)) throw new Error(`simulate differs for ${e.rule.name}: ${JSON.stringify({ ours: e, oracle: expected[i] })}`);
  });

  // Ingest: the enabled rules that matched or threw, through the fact and guard indexes.
  const ingest = (await evaluator.evaluateEnabled(ruleset, metrics)).list();
  const wanted = expected.filter((o) => o.rule.enabled && (o.threw || o.matched));
  expect(ingest.map((e) => e.rule.name)).toEqual(wanted.map((o) => o.rule.name));
  ingest.forEach((e, i) => {
    if (!sameAsOracle(e, wanted[i]!)) throw new Error(`ingest differs for ${e.rule.name}: ${JSON.stringify({ ours: e, oracle: wanted[i] })}`);
  });
}

describe('compiled evaluation against json-rules-engine', () => {
  it(`decides and explains exactly as json-rules-engine (${RUNS} cases, seed ${SEED})`, async () => {
    // eslint-disable-next-line no-console
    console.log(`compiler differential test: seed ${SEED}, ${RUNS} cases (rerun with DIFF_SEED=${SEED})`);
    const evaluator = new Evaluator();
    await fc.assert(
      fc.asyncProperty(rulesArb, metricsArb, (rules, metrics) => agreesWithOracle(evaluator, rules, metrics)),
      { numRuns: RUNS, seed: SEED, verbose: 0 },
    );
  }, 300_000);

  // Rules made only of what the guard index and short-circuiting apply to (thresholds, equality,
  // lists of constants, dotted paths), over numbers near the thresholds and the other types, so
  // that rules are skipped as often as possible and every skip is checked against the engine.
  it(`skips only what cannot match or throw (${GUARD_RUNS} cases, seed ${SEED})`, async () => {
    const evaluator = new Evaluator();
    await fc.assert(
      fc.asyncProperty(guardableRulesArb, guardableMetricsArb, (rules, metrics) => agreesWithOracle(evaluator, rules, metrics)),
      { numRuns: GUARD_RUNS, seed: SEED, verbose: 0 },
    );
  }, 300_000);

  // The same over 33 to 100 rules: the rules to run are kept as a bitset of 32-bit words, so a
  // rule's position lands past the first word and on bit 31, where a sign could go wrong.
  it(`skips only what cannot match or throw among many rules (${MANY_RULES_RUNS} cases, seed ${SEED})`, async () => {
    const evaluator = new Evaluator();
    await fc.assert(
      fc.asyncProperty(guardableRulesArbOf(33, 100), guardableMetricsArb, (rules, metrics) => agreesWithOracle(evaluator, rules, metrics)),
      { numRuns: MANY_RULES_RUNS, seed: SEED, verbose: 0 },
    );
  }, 300_000);
});
