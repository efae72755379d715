import { ClosedLoop } from '../../src/closed-loop/closed-loop';
import { EnabledEvaluation } from '../../src/engine/enabled-evaluation';
import { dispatchRequest, dispatches } from '../../src/closed-loop/dispatch-rules';
import { type ApprovalPolicy, MemoryClosedLoopPort } from '../../src/closed-loop/memory-port';
import type { ClosedLoopSettings } from '../../src/closed-loop/settings';
import { countsInWindow, followUpFor, windowDue } from '../../src/closed-loop/verification-rules';
import { budgetSpentUntil } from '../../src/domain/budget-slot';
import type { Rule } from '../../src/domain/rule';
import type { RuleEvaluation } from '../../src/engine/evaluate';
import { normalizedRule } from '../helpers/rules';

const start = Date.parse('2026-03-01T10:00:00Z');
/** The instant `s` seconds into the test. */
const at = (s: number) => new Date(start + s * 1000);
const iso = (s: number) => at(s).toISOString();

const throttle = (name: string, overrides: Partial<Rule> = {}) =>
  normalizedRule(name, { action: { type: 'throttle', params: {} }, cooldownMinutes: 0, ...overrides });

const settings: ClosedLoopSettings = {
  perTarget: { windowMinutes: 1, maxActions: 2 },
  approvalTimeoutMinutes: 2,
  verifySpecFor: (rule) => (rule.verify === undefined || rule.verify === false ? null : rule.verify),
  targetOf: (rule) => (rule.action.type === 'throttle' ? 'throttle' : null),
  revertible: (type) => type === 'throttle',
};

/** The closed loop on the in-memory port, as a replay runs it, with a snapshot feed on its virtual clock. */
function loopOf(approvals: ApprovalPolicy = 'pending') {
  const port = new MemoryClosedLoopPort({ approvals, settings, closedLoop: true });
  const loop = new ClosedLoop(port, settings, (rule) => rule.requiresApproval === true);
  /** One snapshot from `source` at second `s` on which `matched` matched: the sweep's work, then the decisions. */
  const snapshot = async (s: number, matched: Rule[], source = 'app') => {
    const now = at(s);
    const outcomes = port.decideDue(now);
    port.observe(source, now, new Set(matched.map((r) => r.name)));
    const evaluations: RuleEvaluation[] = matched.map((rule) => ({ rule, matched: true, matchedFacts: {}, failedConditions: [] }));
    const applied = await loop.decideAndApply(EnabledEvaluation.of(evaluations), now, { source }, source);
    return { outcomes, decisions: applied.map((a) => a.decision) };
  };
  return { port, loop, snapshot };
}

describe('the closed loop on the in-memory port', () => {
  describe('approvals', () => {
    it('keeps one approval open per rule until the instant it expires, as the sweep expires it', async () => {
      const gated = throttle('gated', { requiresApproval: true });
      const { snapshot } = loopOf('pending');
      const first = await snapshot(0, [gated]);
      expect(first.decisions).toMatchObject([{ decision: 'require_approval', actionId: 'replay-1', status: 'pending_approval' }]);
      expect((await snapshot(119.999, [gated])).decisions).toMatchObject([{ decision: 'duplicate_pending', actionId: 'replay-1' }]);
      // approvals.timeoutMinutes = 2: at 120 s it has expired, and a new one is asked for.
      expect((await snapshot(120, [gated])).decisions).toMatchObject([{ decision: 'require_approval', actionId: 'replay-2' }]);
    });

    it('approved at once: nothing stays open and the action runs, opening its window', async () => {
      const gated = throttle('gated', { requiresApproval: true, verify: { windowMinutes: 0.5, onIneffective: 'none' } });
      const { port, snapshot } = loopOf('approve');
      expect((await snapshot(0, [gated])).decisions).toMatchObject([{ decision: 'require_approval', actionId: 'replay-1' }]);
      expect((await snapshot(1, [gated])).decisions).toMatchObject([{ decision: 'require_approval', actionId: 'replay-2' }]);
      expect(port.openWindowRules()).toEqual(['gated', 'gated']);
    });

    it('rejected at once: nothing stays open, nothing runs, the cooldown still holds', async () => {
      const gated = throttle('gated', { requiresApproval: true, cooldownMinutes: 1, verify: { windowMinutes: 0.5, onIneffective: 'none' } });
      const { port, snapshot } = loopOf('reject');
      await snapshot(0, [gated]);
      expect((await snapshot(59, [gated])).decisions).toMatchObject([{ decision: 'cooldown', until: iso(60) }]);
      expect((await snapshot(60, [gated])).decisions).toMatchObject([{ decision: 'require_approval', actionId: 'replay-2' }]);
      expect(port.openWindowRules()).toEqual([]);
    });
  });

  describe('budgets', () => {
    it('claims a slot per dispatch (approvals too); a slot frees the instant its claim leaves the window', async () => {
      const a = throttle('a');
      const b = throttle('b', { requiresApproval: true });
      const { snapshot } = loopOf('reject');
      expect((await snapshot(0, [a])).decisions).toMatchObject([{ decision: 'execute' }]);
      expect((await snapshot(10, [b])).decisions).toMatchObject([{ decision: 'require_approval' }]);
      // limits.perTarget: 2 per minute; spent until the older claim (0 s) leaves the window.
      expect((await snapshot(20, [a])).decisions).toMatchObject([{ decision: 'budget_exhausted', target: 'throttle', until: iso(60) }]);
      expect((await snapshot(59.999, [a])).decisions).toMatchObject([{ decision: 'budget_exhausted' }]);
      expect((await snapshot(60, [a])).decisions).toMatchObject([{ decision: 'execute' }]);
    });

    it('two rules decided on one snapshot share the budget as the atomic claim makes them', async () => {
      const a = throttle('a', { maxActionsPerTarget: 1 });
      const b = throttle('b', { maxActionsPerTarget: 1 });
      const { snapshot } = loopOf();
      const { decisions } = await snapshot(0, [a, b]);
      expect(decisions).toMatchObject([
        { rule: 'a', decision: 'execute' },
        { rule: 'b', decision: 'budget_exhausted', target: 'throttle', until: iso(60), reason: `budget of target throttle is spent (claimed meanwhile) until ${iso(60)}` },
      ]);
    });

    it('shadow records take their cooldown and claim no slot', async () => {
      const trial = throttle('trial', { mode: 'shadow', cooldownMinutes: 1, maxActionsPerTarget: 1 });
      const live = throttle('live', { maxActionsPerTarget: 1 });
      const { snapshot } = loopOf();
      expect((await snapshot(0, [trial])).decisions).toMatchObject([{ decision: 'shadow', wouldDecide: 'execute', actionId: 'replay-1' }]);
      expect((await snapshot(1, [trial, live])).decisions).toMatchObject([
        { rule: 'trial', decision: 'shadow', wouldDecide: 'cooldown', until: iso(60) },
        { rule: 'live', decision: 'execute' },
      ]);
    });
  });

  describe('verification, its sweep and recovery', () => {
    const verified = (onIneffective: 'revert' | 'escalate' | 'none', type: 'throttle' | 'alert_only' = 'throttle') =>
      normalizedRule('fix', { action: { type, params: {} }, cooldownMinutes: 0, verify: { windowMinutes: 1, onIneffective } });

    it('counts the snapshots after the run up to the end inclusive, and decides once the end is past', async () => {
      const fix = verified('revert');
      const { snapshot } = loopOf();
      await snapshot(0, [fix]); // replay-1 runs, window until 60 s
      // A snapshot at the very instant the action ran does not count for its window (the run came first).
      const same = await snapshot(0, [fix]); // replay-2
      expect(same.decisions).toMatchObject([{ actionId: 'replay-2' }]);
      const atEnd = await snapshot(60, []); // counts for replay-1: the rule no longer matched
      expect(atEnd.outcomes).toEqual([]);
      const past = await snapshot(60.001, []);
      expect(past.outcomes).toEqual([
        { at: at(60), source: 'app', rule: 'fix', actionId: 'replay-1', outcome: 'effective', recoveredAt: at(60) },
        { at: at(60), source: 'app', rule: 'fix', actionId: 'replay-2', outcome: 'effective', recoveredAt: at(60) },
      ]);
    });

    it('the latest snapshot decides; recovery is the first that no longer matched, even after a relapse', async () => {
      const fix = verified('revert');
      const { snapshot } = loopOf();
      await snapshot(0, [fix]);
      await snapshot(10, []); // recovered
      await snapshot(20, [fix]); // relapsed: replay-2 runs
      const { outcomes } = await snapshot(61, []);
      expect(outcomes).toEqual([{ at: at(60), source: 'app', rule: 'fix', actionId: 'replay-1', outcome: 'ineffective', recoveredAt: at(10), followUp: 'revert' }]);
    });

    it('watches only its own source; none came: unknown', async () => {
      const fix = verified('escalate');
      const { snapshot } = loopOf();
      await snapshot(0, [fix], 'a');
      await snapshot(30, [], 'b');
      expect((await snapshot(61, [], 'b')).outcomes).toMatchObject([{ actionId: 'replay-1', outcome: 'unknown', recoveredAt: null }]);
    });

    it('follows an ineffective outcome up as the service would: revert, escalate (also for a revert without inverse), or nothing', () => {
      expect(followUpFor('revert', true)).toBe('revert');
      expect(followUpFor('revert', false)).toBe('escalate');
      expect(followUpFor('escalate', true)).toBe('escalate');
      expect(followUpFor('none', true)).toBe('none');
    });

    it('a revert the type cannot make is escalated in the replay too', async () => {
      const fix = verified('revert', 'alert_only');
      const { snapshot } = loopOf();
      await snapshot(0, [fix]);
      await snapshot(30, [fix]);
      expect((await snapshot(61, [])).outcomes).toMatchObject([{ actionId: 'replay-1', outcome: 'ineffective', followUp: 'escalate' }]);
    });

    it('at the end of a replay, decides the windows that ended by then and leaves the rest open', async () => {
      const fix = verified('none');
      const { port, snapshot } = loopOf();
      await snapshot(0, [fix]);
      await snapshot(30, [fix]);
      expect(port.decideUpTo(at(60)).map((o) => o.actionId)).toEqual(['replay-1']);
      expect(port.openWindowRules()).toEqual(['fix']);
    });
  });
});

describe('the pure rules of the closed loop', () => {
  it('the budget slot: a claim counts while younger than the window; spent until the max-th newest leaves it', () => {
    const window = 60_000;
    expect(budgetSpentUntil([50_000, 10_000], 60_000, window, 2)).toBe(70_000);
    expect(budgetSpentUntil([50_000, 10_000], 70_000, window, 2)).toBeNull();
    expect(budgetSpentUntil([50_000, 10_000], 69_999, window, 2)).toBe(70_000);
    expect(budgetSpentUntil([50_000], 60_000, window, 2)).toBeNull();
    expect(budgetSpentUntil([], 0, window, 1)).toBeNull();
  });

  it('what a dispatch changes: cooldown end, approval expiry, budget claim and verification', () => {
    const rule = throttle('r', { cooldownMinutes: 5, maxActionsPerTarget: 4, verify: { windowMinutes: 1, onIneffective: 'revert' } });
    const approval = dispatchRequest({ rule: 'r', decision: 'require_approval', reason: '' }, rule, at(0), settings);
    expect(approval).toMatchObject({
      status: 'pending_approval',
      cooldownUntil: at(300),
      expiresAt: at(120),
      budget: { target: 'throttle', windowMs: 60_000, maxActions: 4 },
      verify: { windowMinutes: 1, onIneffective: 'revert' },
    });
    const shadow = dispatchRequest({ rule: 'r', decision: 'shadow', wouldDecide: 'execute', reason: '' }, rule, at(0), settings);
    expect(shadow).toMatchObject({ status: 'shadowed', cooldownUntil: at(300), expiresAt: null, budget: null, verify: null });
    expect(dispatches({ rule: 'r', decision: 'shadow', wouldDecide: 'cooldown', reason: '' })).toBe(false);
    expect(dispatches({ rule: 'r', decision: 'budget_exhausted', reason: '' })).toBe(false);
    expect(dispatches({ rule: 'r', decision: 'execute', reason: '' })).toBe(true);
  });

  it('the window: after the run, up to its end inclusive; due once the end is past', () => {
    expect(countsInWindow(at(0), at(0), at(60))).toBe(false);
    expect(countsInWindow(at(60), at(0), at(60))).toBe(true);
    expect(countsInWindow(at(60.001), at(0), at(60))).toBe(false);
    expect(windowDue(at(60), at(60))).toBe(false);
    expect(windowDue(at(60), at(60.001))).toBe(true);
  });
});

describe('matches in a known cooldown', () => {
  const alert = (name: string, overrides: Partial<Rule> = {}) =>
    normalizedRule(name, { action: { type: 'alert_only', params: { message: name } }, cooldownMinutes: 1, ...overrides });

  it('are decided cooldown with no read of the state, a shadow rule anew, and read again once the end has passed', async () => {
    const hot = alert('hot');
    const quiet = alert('quiet', { mode: 'shadow' });
    const { port, snapshot } = loopOf();
    const reads = jest.spyOn(port, 'ruleStates');
    expect((await snapshot(0, [hot, quiet])).decisions).toMatchObject([
      { rule: 'hot', decision: 'execute' },
      { rule: 'quiet', decision: 'shadow', wouldDecide: 'execute' },
    ]);
    reads.mockClear();
    expect((await snapshot(30, [hot])).decisions).toEqual([{ rule: 'hot', decision: 'cooldown', reason: `in cooldown until ${iso(60)}`, until: iso(60) }]);
    expect(reads).not.toHaveBeenCalled();
    expect((await snapshot(59.999, [hot, quiet])).decisions).toMatchObject([
      { rule: 'hot', decision: 'cooldown', until: iso(60) },
      { rule: 'quiet', decision: 'shadow', wouldDecide: 'cooldown', until: iso(60) },
    ]);
    expect(reads.mock.calls.map(([rules]) => rules)).toEqual([['quiet']]);
    expect((await snapshot(60, [hot])).decisions).toMatchObject([{ rule: 'hot', decision: 'execute' }]);
    expect(reads.mock.calls.map(([rules]) => rules)).toEqual([['quiet'], ['hot']]);
  });
});
