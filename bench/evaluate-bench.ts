import { createHash } from 'node:crypto';
import { Engine } from 'json-rules-engine';
import type { ActionType, Rule, Ruleset } from '../src/domain/rule';
import { approvalRequired, decide } from '../src/engine/decide';
import { Evaluator } from '../src/engine/evaluate';
import { validateRulesDocument } from '../src/rules/validate-rules';
import { createSchemaRegistry } from '../src/schemas/registry';
import type { RuleState } from '../src/domain/rule-state';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { type Figures, runFor, Sampler } from './stats';
import { ClosedLoop } from '../src/closed-loop/closed-loop';
import { dispatchRequest } from '../src/closed-loop/dispatch-rules';
import { type MemoryContext, MemoryClosedLoopPort } from '../src/closed-loop/memory-port';
import type { ClosedLoopSettings } from '../src/closed-loop/settings';

export interface EvaluateOptions {
  /** Length of one measured round; bare and ours alternate round by round. */
  roundMs: number;
  rounds: number;
  warmupMs: number;
  concurrency: number;
}

export interface ModeResult {
  concurrency: number;
  bare: Figures;
  ours: Figures;
  /** ours/bare in time per operation (= bare ops/s divided by ours ops/s). */
  ratio: number;
  /** ours p50 / bare p50. */
  p50Ratio: number;
}

export interface EvaluateCaseResult {
  name: string;
  rules: number;
  enabledRules: number;
  snapshots: number;
  avgMatchedPerSnapshot: number;
  /** What "ours" runs after evaluateEnabled: decide over a states map, or the closed loop (storm). */
  implementation: string;
  /** Snapshots on which ours and bare agreed on the set of matching rules. */
  agreement: string;
  sequential: ModeResult;
  concurrent: ModeResult;
}

export interface EvaluateCase {
  name: string;
  doc: unknown;
  snapshots: Record<string, unknown>[];
  /** Rounds this many times longer than the default: slow cases need more time for a usable p99. */
  roundScale?: number;
  /** Every rule in cooldown (a storm after its first snapshot) instead of the usual mix. */
  allInCooldown?: boolean;
}

// As the strategies registry declares them: only service_restart needs approval by default.
const APPROVAL_DEFAULTS: ReadonlyMap<ActionType, boolean> = new Map<ActionType, boolean>([
  ['model_failover', false],
  ['prompt_rollback', false],
  ['service_restart', true],
  ['throttle', false],
  ['alert_only', false],
]);

function buildRuleset(doc: unknown): Ruleset {
  const validation = validateRulesDocument(createSchemaRegistry(), doc);
  if (!validation.ok) {
    throw new Error(`benchmark rules are invalid: ${JSON.stringify(validation.problems.slice(0, 5))}`);
  }
  return {
    rules: validation.rules,
    byName: new Map(validation.rules.map((r) => [r.name, r])),
    version: createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16),
    loadedAt: new Date(),
  };
}

/** The engine the bare baseline runs: the same enabled rules, given to the constructor. */
function bareEngine(rules: Rule[]): Engine {
  return new Engine(
    rules.map((r) => ({ name: r.name, priority: r.priority, conditions: r.conditions as never, event: { type: r.name } })),
    { allowUndefinedFacts: true },
  );
}

/**
 * Rule states as the store gives them (one entry per asked rule), then a realistic mix written in:
 * every third rule in cooldown, every seventh with an open approval. Decide reads this in-memory
 * map, so the ratio compares evaluation and decision logic, not SQLite reads.
 */
async function ruleStates(rules: Rule[], now: Date, allInCooldown: boolean): Promise<Map<string, RuleState>> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  try {
    const states = await store.getRuleStates(rules.map((r) => r.name));
    rules.forEach((rule, i) => {
      const state = states.get(rule.name)!;
      if (allInCooldown || i % 3 === 0) state.cooldownUntil = new Date(now.getTime() + 10 * 60_000);
      if (!allInCooldown && i % 7 === 0) state.openApprovalId = `bench-approval-${i}`;
    });
    return states;
  } finally {
    await store.close();
  }
}

/**
 * The closed loop on replay's in-memory port with every rule dispatched once, its cooldown running
 * for days: a storm after its first snapshot, decided as ingest decides it.
 */
async function loopInCooldown(rules: Rule[], requiresApproval: (r: Rule) => boolean): Promise<ClosedLoop<MemoryContext>> {
  const settings: ClosedLoopSettings = {
    perTarget: { windowMinutes: 60, maxActions: 1_000_000 },
    approvalTimeoutMinutes: 60,
    verifySpecFor: () => null,
    targetOf: () => null,
    revertible: () => false,
  };
  const port = new MemoryClosedLoopPort({ approvals: 'pending', settings, closedLoop: false });
  const at = new Date();
  for (const rule of rules) {
    const cooling = { ...rule, cooldownMinutes: 10 * 24 * 60 };
    await port.dispatch(dispatchRequest({ rule: rule.name, decision: 'execute', reason: 'bench' }, cooling, at, settings));
  }
  return new ClosedLoop(port, settings, requiresApproval);
}

export async function runEvaluateCase(c: EvaluateCase, options: EvaluateOptions, log: (s: string) => void): Promise<EvaluateCaseResult> {
  const ruleset = buildRuleset(c.doc);
  const enabled = ruleset.rules.filter((r) => r.enabled);
  const states = await ruleStates(ruleset.rules, new Date(), c.allInCooldown ?? false);
  const evaluator = new Evaluator();
  const requiresApproval = (r: Rule) => approvalRequired(r, APPROVAL_DEFAULTS);

  const stormLoop = c.allInCooldown ? await loopInCooldown(ruleset.rules, requiresApproval) : null;
  const ours = async (facts: Record<string, unknown>) => {
    const evaluated = await evaluator.evaluateEnabled(ruleset, facts);
    // A storm: what ingest runs after evaluating, the closed loop (here on replay's in-memory port,
    // every rule in cooldown), whose known cooldowns answer each match without a read.
    if (stormLoop) return stormLoop.decideAndApply(evaluated, new Date(), { source: 'bench' }, 'bench');
    return decide({ matched: evaluated.matchedRules(), states, now: new Date(), requiresApproval });
  };
  // One engine built once, as the baseline. A single Engine must not run overlapping evaluations
  // (its run status is shared: the first run to finish makes the others skip their remaining
  // priority sets), so the concurrent baseline gets one prebuilt engine per in-flight slot.
  const engines = Array.from({ length: options.concurrency }, () => bareEngine(enabled));
  const bareSequential = (facts: Record<string, unknown>) => engines[0]!.run(facts);
  const bareConcurrent = async (facts: Record<string, unknown>) => {
    const engine = engines.pop() ?? bareEngine(enabled);
    try {
      return await engine.run(facts);
    } finally {
      engines.push(engine);
    }
  };

  // Both sides must find the same matches, or the comparison means nothing.
  let agree = 0;
  let matchedTotal = 0;
  for (const facts of c.snapshots) {
    const bareNames = new Set((await engines[0]!.run(facts)).results.map((r) => r.name as string));
    const ourNames = (await evaluator.evaluateEnabled(ruleset, facts)).matchedRules().map((r) => r.name);
    matchedTotal += ourNames.length;
    if (ourNames.length === bareNames.size && ourNames.every((n) => bareNames.has(n))) agree++;
  }
  log(`  ${c.name}: ${ruleset.rules.length} rules (${enabled.length} enabled), ${c.snapshots.length} snapshots, ` +
    `${(matchedTotal / c.snapshots.length).toFixed(2)} matches/snapshot, agreement ${agree}/${c.snapshots.length}`);

  const measure = async (concurrency: number): Promise<ModeResult> => {
    const bareOp = concurrency === 1 ? bareSequential : bareConcurrent;
    await runFor(bareOp, c.snapshots, options.warmupMs, concurrency);
    await runFor(ours, c.snapshots, options.warmupMs, concurrency);
    const bareSampler = new Sampler();
    const oursSampler = new Sampler();
    // Alternating rounds spread the machine's background noise over both sides alike.
    for (let round = 0; round < options.rounds; round++) {
      const order: [(facts: Record<string, unknown>) => Promise<unknown>, Sampler][] = [
        [bareOp, bareSampler],
        [ours, oursSampler],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [op, sampler] of order) await runFor(op, c.snapshots, options.roundMs * (c.roundScale ?? 1), concurrency, sampler);
    }
    const bare = bareSampler.figures();
    const oursFigures = oursSampler.figures();
    return {
      concurrency,
      bare,
      ours: oursFigures,
      ratio: bare.opsPerSec / oursFigures.opsPerSec,
      p50Ratio: oursFigures.p50Ms / bare.p50Ms,
    };
  };

  const sequential = await measure(1);
  log(`    sequential done (ratio ${sequential.ratio.toFixed(2)}x)`);
  const concurrent = await measure(options.concurrency);
  log(`    ${options.concurrency} in flight done (ratio ${concurrent.ratio.toFixed(2)}x)`);
  return {
    name: c.name,
    rules: ruleset.rules.length,
    enabledRules: enabled.length,
    snapshots: c.snapshots.length,
    avgMatchedPerSnapshot: matchedTotal / c.snapshots.length,
    implementation: stormLoop ? 'evaluateEnabled + ClosedLoop' : 'evaluateEnabled + decide',
    agreement: `${agree}/${c.snapshots.length}`,
    sequential,
    concurrent,
  };
}

/**
 * Bare json-rules-engine's evaluations a second, one at a time, on these rules and snapshots: the
 * baseline an end-to-end figure is divided by (measured in the same run, beside it).
 */
export async function bareOpsPerSec(doc: unknown, snapshots: Record<string, unknown>[], ms: number): Promise<number> {
  const ruleset = buildRuleset(doc);
  const engine = bareEngine(ruleset.rules.filter((r) => r.enabled));
  const sampler = new Sampler();
  await runFor((facts) => engine.run(facts), snapshots, Math.min(1000, ms), 1);
  await runFor((facts) => engine.run(facts), snapshots, ms, 1, sampler);
  return sampler.figures().opsPerSec;
}
