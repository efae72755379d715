import { decide, type SilencesView } from '../../src/engine/decide';
import { decideRules } from '../../src/engine/rule-decisions';
import type { RuleState } from '../../src/domain/rule-state';
import type { Silence } from '../../src/silences/silence';
import type { Rule } from '../../src/domain/rule';
import { ClosedLoop } from '../../src/closed-loop/closed-loop';
import { EnabledEvaluation } from '../../src/engine/enabled-evaluation';
import { MemoryClosedLoopPort } from '../../src/closed-loop/memory-port';
import type { ClosedLoopSettings } from '../../src/closed-loop/settings';
import { normalizedRule } from '../helpers/rules';

const now = new Date('2026-03-01T10:00:00Z');
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
const throttle = (name: string, extra = {}) => normalizedRule(name, { action: { type: 'throttle', params: {} }, ...extra });

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 'sil-1', matchers: { target: 'throttle' }, startsAt: minutes(-10), endsAt: minutes(50), comment: 'maintenance', schedule: null,
    createdAt: minutes(-10), createdBy: 'ops', expiredAt: null, expiredBy: null, ...over,
  };
}

const view = (silences: Silence[], source: string | null = 'agentx'): SilencesView => ({ silences, source, targetOf: (r) => (r.action.type === 'alert_only' ? null : 'throttle') });
const decideOne = (input: Partial<Parameters<typeof decide>[0]> & { matched: Parameters<typeof decide>[0]['matched'] }) =>
  decide({ states: new Map<string, RuleState>(), now, requiresApproval: () => false, ...input });

describe('decide: silences', () => {
  it('decides silenced, with the silence and its end, what would execute or ask for approval', () => {
    const [run, gate, other] = decideOne({
      matched: [throttle('run'), throttle('gate'), normalizedRule('note', { action: { type: 'alert_only', params: {} } })],
      requiresApproval: (r) => r.name === 'gate',
      silences: view([silence()]),
    });
    expect(run).toEqual({ rule: 'run', decision: 'silenced', silenceId: 'sil-1', until: minutes(50).toISOString(), reason: expect.stringContaining('would have run throttle') });
    expect(gate).toMatchObject({ decision: 'silenced', reason: expect.stringContaining('would have asked for approval') });
    expect(other!.decision).toBe('execute');
  });

  it('matches the snapshot source, and never without one', () => {
    const bySource = view([silence({ matchers: { source: { regex: 'agent.*' } } })]);
    expect(decideOne({ matched: [throttle('run')], silences: bySource })[0]!.decision).toBe('silenced');
    expect(decideOne({ matched: [throttle('run')], silences: { ...bySource, source: null } })[0]!.decision).toBe('execute');
  });

  it('ranks below cooldown, an open approval and the pause, above a spent budget', () => {
    const states = new Map<string, RuleState>([
      ['cooling', { cooldownUntil: minutes(5), openApprovalId: null }],
      ['pending', { cooldownUntil: null, openApprovalId: 'a-1' }],
    ]);
    const pause = { paused: true, reason: 'incident', by: 'ann', since: now.toISOString(), until: null };
    const matched = [throttle('cooling'), throttle('pending', { requiresApproval: true })];
    const decided = decideOne({ matched, states, requiresApproval: (r) => r.requiresApproval === true, silences: view([silence()]) });
    expect(decided.map((d) => d.decision)).toEqual(['cooldown', 'duplicate_pending']);
    expect(decideOne({ matched: [throttle('run')], pause, silences: view([silence()]) })[0]!.decision).toBe('paused');
    const spent = { windowMs: 3_600_000, defaultMax: 1, targetOf: () => 'throttle', usage: new Map([['throttle', [minutes(-1)]]]) };
    expect(decideOne({ matched: [throttle('run')], budget: spent, silences: view([silence()]) })[0]!.decision).toBe('silenced');
    expect(decideOne({ matched: [throttle('run')], budget: spent })[0]!.decision).toBe('budget_exhausted');
  });

  it('holds only while in force: not expired, not ended, inside its schedule', () => {
    const expired = silence({ expiredAt: minutes(-1), expiredBy: 'ops' });
    expect(decideOne({ matched: [throttle('run')], silences: view([expired]) })[0]!.decision).toBe('execute');
    const weekends = silence({ schedule: { timeZone: 'UTC', weekdays: ['sat', 'sun'], times: null } });
    // 2026-03-01 is a Sunday.
    expect(decideOne({ matched: [throttle('run')], silences: view([weekends]) })[0]).toMatchObject({ decision: 'silenced', until: minutes(50).toISOString() });
    expect(decideOne({ matched: [throttle('run')], silences: view([{ ...weekends, schedule: { timeZone: 'UTC', weekdays: ['mon'], times: null } }]) })[0]!.decision).toBe('execute');
  });

  it('ranks above inhibition, and a silenced rule holds nobody back on the same snapshot', () => {
    const failover = throttle('failover', { priority: 90, action: { type: 'model_failover', params: {} }, inhibits: { types: ['throttle'] } });
    const slow = throttle('slow', { priority: 50 });
    const inhibition = { active: [], targetOf: (r: Rule) => (r.action.type === 'model_failover' ? 'router' : 'throttle'), source: 'agentx' };
    const onRouter = view([silence({ matchers: { type: 'model_failover' } })]);
    expect(decideOne({ matched: [failover, slow], inhibition, silences: onRouter }).map((d) => d.decision)).toEqual(['silenced', 'execute']);
    const running = { actionId: 'a1', rule: failover, target: 'router', source: 'agentx', state: 'running' };
    const both = decideOne({ matched: [slow], inhibition: { ...inhibition, active: [running] }, silences: view([silence()]) });
    expect(both[0]).toMatchObject({ decision: 'silenced', silenceId: 'sil-1' });
  });

  it('a shadow rule would decide silenced, and leaves no record', async () => {
    const [shadow] = decideRules({ matched: [throttle('try', { mode: 'shadow' })], states: new Map(), now, requiresApproval: () => false, silences: view([silence()]) });
    expect(shadow).toMatchObject({ decision: 'shadow', wouldDecide: 'silenced', silenceId: 'sil-1' });
  });
});

describe('closed loop: silences', () => {
  const settings: ClosedLoopSettings = {
    perTarget: { windowMinutes: 60, maxActions: 5 },
    approvalTimeoutMinutes: 30,
    verifySpecFor: () => null,
    targetOf: (r) => (r.action.type === 'alert_only' ? null : 'throttle'),
    revertible: () => false,
  };

  it('dispatches nothing while silenced (no cooldown taken), and acts once the silence has expired', async () => {
    const port = new MemoryClosedLoopPort({ approvals: 'approve', settings, closedLoop: true, silences: [silence({ expiredAt: minutes(1), expiredBy: 'ops' })] });
    const loop = new ClosedLoop(port, settings, () => false);
    const rule = throttle('run', { cooldownMinutes: 30 });
    const evaluations = [{ rule, matched: true, matchedFacts: {}, failedConditions: [] }];
    const first = await loop.decideAndApply(EnabledEvaluation.of(evaluations), now, { source: 'agentx' }, 'agentx');
    expect(first.map((a) => a.decision)).toEqual([expect.objectContaining({ decision: 'silenced', silenceId: 'sil-1' })]);
    expect(first[0]!.running).toBeUndefined();
    const second = await loop.decideAndApply(EnabledEvaluation.of(evaluations), minutes(2), { source: 'agentx' }, 'agentx');
    expect(second[0]!.decision).toMatchObject({ decision: 'execute', actionId: 'replay-1' });
  });

  it('does not read silences when every matched rule is in cooldown', async () => {
    const port = new MemoryClosedLoopPort({ approvals: 'approve', settings, closedLoop: true });
    const reads = jest.spyOn(port, 'silences');
    const loop = new ClosedLoop(port, settings, () => false);
    const rule = throttle('run', { cooldownMinutes: 30 });
    const evaluations = [{ rule, matched: true, matchedFacts: {}, failedConditions: [] }];
    await loop.decideAndApply(EnabledEvaluation.of(evaluations), now, { source: 'a' }, 'a');
    expect(reads).toHaveBeenCalledTimes(1);
    await loop.decideAndApply(EnabledEvaluation.of(evaluations), minutes(1), { source: 'a' }, 'a');
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
