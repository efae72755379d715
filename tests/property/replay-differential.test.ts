import fs from 'node:fs';
import fc from 'fast-check';
import type { ActionRecord } from '../../src/domain/action';
import type { TimelineEntry } from '../../src/replay/replay-service';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule as ruleDoc } from '../helpers/rules';

/**
 * Replay is the live pipeline on a virtual clock: random rules (cooldowns, approvals granted,
 * refused or left pending, per-target budgets, shadow rules, verification that reverts, escalates
 * or does nothing) and random snapshot series are ingested live on a manual clock against a real
 * SQLite store, with the periodic sweeps running before some snapshots and not others (what is
 * decided must not depend on when they last ran), then once at the end; then the same stretch of
 * stored history is replayed. Every decision, every action's verification outcome and what followed
 * it must be the same. Rerun a failure with REPLAY_DIFF_SEED=<seed printed below>
 * (REPLAY_DIFF_RUNS changes the count).
 */
const RUNS = Number(process.env.REPLAY_DIFF_RUNS ?? 2000);
const SEED = process.env.REPLAY_DIFF_SEED !== undefined ? Number(process.env.REPLAY_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);

const APPROVAL_TIMEOUT_MINUTES = 2;
const BUDGET_WINDOW_MINUTES = 3;
/** Between two cases: every cooldown, approval, budget and window of the one before is long over. */
const CASE_GAP_MS = 24 * 3_600_000;
/** After a case's last snapshot: every window it opened has ended. */
const END_GAP_MS = 3_600_000;

interface RuleSpec {
  threshold: number;
  fact: 'v' | 'w';
  type: 'throttle' | 'alert_only';
  cooldownMinutes: number;
  requiresApproval: boolean;
  shadow: boolean;
  verify: false | { windowMinutes: number; onIneffective: 'revert' | 'escalate' | 'none' };
  maxActionsPerTarget?: number;
  priority: number;
}

interface Step {
  gapMs: number;
  /** The periodic sweeps run before this snapshot. */
  sweep: boolean;
  source: 'a' | 'b';
  v: number;
  w: number;
}

interface Case {
  rules: RuleSpec[];
  approvals: 'approve' | 'reject' | 'pending';
  steps: Step[];
}

const ruleSpec: fc.Arbitrary<RuleSpec> = fc.record(
  {
    threshold: fc.integer({ min: 0, max: 3 }),
    fact: fc.constantFrom('v' as const, 'w' as const),
    type: fc.constantFrom('throttle' as const, 'alert_only' as const),
    cooldownMinutes: fc.constantFrom(0, 0.5, 1, 2),
    requiresApproval: fc.boolean(),
    shadow: fc.boolean(),
    verify: fc.oneof(
      fc.constant(false as const),
      fc.record({ windowMinutes: fc.constantFrom(0.5, 1, 2), onIneffective: fc.constantFrom('revert' as const, 'escalate' as const, 'none' as const) }),
    ),
    maxActionsPerTarget: fc.constantFrom(1, 2),
    priority: fc.integer({ min: 1, max: 3 }),
  },
  { requiredKeys: ['threshold', 'fact', 'type', 'cooldownMinutes', 'requiresApproval', 'shadow', 'verify', 'priority'] },
);

/** Gaps that land on the edges: same instant, a millisecond, and either side of whole half-minutes. */
const step: fc.Arbitrary<Step> = fc.record({
  gapMs: fc.constantFrom(0, 1, 15_000, 29_999, 30_000, 30_001, 60_000, 90_000),
  sweep: fc.boolean(),
  source: fc.constantFrom('a' as const, 'b' as const),
  v: fc.integer({ min: 0, max: 4 }),
  w: fc.integer({ min: 0, max: 4 }),
});

const caseArb: fc.Arbitrary<Case> = fc.record({
  rules: fc.array(ruleSpec, { minLength: 1, maxLength: 4 }),
  approvals: fc.constantFrom('approve' as const, 'reject' as const, 'pending' as const),
  steps: fc.array(step, { minLength: 1, maxLength: 14 }),
});

/** What a decision says, without the action id (the live one is a UUID, the replayed one `replay-<n>`). */
interface Said {
  at: string;
  source: string;
  rule: string;
  decision: string;
  wouldDecide?: string;
  until?: string;
  target?: string;
}

interface Verified {
  outcome: string;
  recoveredAt?: string;
  followUp?: string;
}

function said(entry: { rule: string; decision: string; wouldDecide?: string; until?: string; target?: string }, at: string, source: string): Said {
  const out: Said = { at, source, rule: entry.rule, decision: entry.decision };
  if (entry.wouldDecide) out.wouldDecide = entry.wouldDecide;
  if (entry.until) out.until = entry.until;
  if (entry.target) out.target = entry.target;
  return out;
}

describe('replay against the live service', () => {
  let t: TestApp;
  let caseNumber = 0;

  beforeAll(async () => {
    t = await buildTestApp({
      rules: { rules: [ruleDoc('placeholder')] },
      config: {
        log: { level: 'error' },
        approvals: { timeoutMinutes: APPROVAL_TIMEOUT_MINUTES },
        limits: { perTarget: { windowMinutes: BUDGET_WINDOW_MINUTES, maxActions: 3 } },
        // Large enough never to prune a case's snapshots before its replay.
        snapshots: { retention: { maxCount: 1_000_000 } },
      },
    });
  });

  afterAll(async () => {
    await t.stop();
  });

  /** The periodic work of the closed loop: overdue approvals expire, ended windows are decided (and followed up). */
  async function sweep(): Promise<void> {
    await t.services.approvals.expireOverdue();
    while ((await t.services.verification.decideDue()) > 0);
  }

  async function playCase(c: Case): Promise<void> {
    caseNumber += 1;
    const prefix = `k${caseNumber}-`;
    const rules = c.rules.map((r, i) =>
      ruleDoc(`${prefix}r${i}`, {
        priority: r.priority,
        conditions: { all: [{ fact: r.fact, operator: 'greaterThan', value: r.threshold }] },
        action: r.type === 'throttle' ? { type: 'throttle', params: { factor: 0.5, durationMinutes: 1 } } : { type: 'alert_only', params: { message: 'diff' } },
        cooldownMinutes: r.cooldownMinutes,
        requiresApproval: r.requiresApproval,
        mode: r.shadow ? 'shadow' : 'enforce',
        verify: r.verify,
        ...(r.maxActionsPerTarget !== undefined ? { maxActionsPerTarget: r.maxActionsPerTarget } : {}),
      }),
    );
    // Written and reloaded as a hand edit would be: an API write syncs the file to disk, which
    // would be most of a case's time.
    fs.writeFileSync(t.rulesFile, JSON.stringify({ rules }));
    expect(await t.services.rules.reload()).toBe(true);
    t.clock.advance(CASE_GAP_MS);
    const from = t.clock.now().toISOString();
    const sources = [`${prefix}a`, `${prefix}b`];

    // Live: the service's own ingest and approvals, on the manual clock.
    const live: Said[] = [];
    const liveActions: string[] = [];
    for (const s of c.steps) {
      t.clock.advance(s.gapMs);
      if (s.sweep) await sweep();
      const source = `${prefix}${s.source}`;
      const snapshot = { source, timestamp: t.clock.now().toISOString(), metrics: { v: s.v, w: s.w } };
      const result = await t.services.remediation.ingest(snapshot, { requestedBy: 'ingest', waitForOutcome: true });
      const at = (await t.store.getSnapshot(result.snapshotId))!.receivedAt.toISOString();
      for (const d of result.decisions) {
        live.push(said(d, at, source));
        if (d.actionId && (d.decision === 'execute' || d.decision === 'require_approval' || d.decision === 'shadow')) liveActions.push(d.actionId);
        if (d.decision === 'require_approval' && d.actionId) {
          if (c.approvals === 'approve') await t.services.approvals.approve(d.actionId, { by: 'approver' });
          if (c.approvals === 'reject') await t.services.approvals.reject(d.actionId, { by: 'approver' });
        }
      }
    }
    t.clock.advance(END_GAP_MS);
    await sweep();
    const to = t.clock.now().toISOString();

    // Replay of the stored history of the same stretch of time.
    const replayed = await t.services.replay.replay({ from, to, sources, approvals: c.approvals, limit: 10_000 });
    const decisions = replayed.timeline.filter((e) => e.decision !== 'verified');
    expect(decisions.map((e) => said(e, e.at, e.source))).toEqual(live);

    // The replay's virtual actions are the live ones, in dispatch order.
    const virtualIds = decisions.filter((e) => e.actionId && e.decision !== 'duplicate_pending').map((e) => e.actionId!);
    expect(virtualIds.length).toBe(liveActions.length);
    const liveIdOf = new Map(virtualIds.map((id, i) => [id, liveActions[i]!]));
    const replayedOutcomes = new Map(replayed.timeline.filter((e) => e.decision === 'verified').map((e) => [liveIdOf.get(e.actionId!), verifiedOf(e)]));
    const liveOutcomes = new Map<string, Verified>();
    for (const id of liveActions) {
      const action = (await t.store.getAction(id))!;
      if (action.outcome && action.outcome !== 'pending') liveOutcomes.set(id, liveVerified(action));
    }
    expect(Object.fromEntries(replayedOutcomes)).toEqual(Object.fromEntries(liveOutcomes));
  }

  function verifiedOf(e: TimelineEntry): Verified {
    const out: Verified = { outcome: e.outcome! };
    if (e.recoveredAt) out.recoveredAt = e.recoveredAt;
    if (e.followUp) out.followUp = e.followUp;
    return out;
  }

  /** What the service did after deciding an outcome: a revert attempted, an escalation, or nothing. */
  function liveVerified(action: ActionRecord): Verified {
    const out: Verified = { outcome: action.outcome! };
    if (action.recoveredAt) out.recoveredAt = action.recoveredAt.toISOString();
    if (action.outcome === 'ineffective') {
      const escalated = t.notifier.ofType('action.ineffective').some((e) => e.action?.id === action.id);
      out.followUp = action.revertedBy ? 'revert' : escalated ? 'escalate' : 'none';
    }
    return out;
  }

  it(`decides, verifies and follows up exactly as the live service (${RUNS} cases, seed ${SEED})`, async () => {
    // eslint-disable-next-line no-console
    console.log(`replay differential test: seed ${SEED}, ${RUNS} cases (rerun with REPLAY_DIFF_SEED=${SEED})`);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await playCase(c);
      }),
      { numRuns: RUNS, seed: SEED, verbose: 0 },
    );
    // eslint-disable-next-line no-console
    console.log(`replay differential test: ${RUNS} cases in ${Date.now() - started} ms`);
  }, 600_000);
});
