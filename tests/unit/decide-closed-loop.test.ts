import { decide, type BudgetView } from '../../src/engine/decide';
import type { RuleState } from '../../src/domain/rule-state';
import { NOT_PAUSED } from '../../src/domain/pause';
import { normalizedRule } from '../helpers/rules';

const now = new Date('2026-03-01T10:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const throttle = (name: string, extra = {}) => normalizedRule(name, { action: { type: 'throttle', params: {} }, ...extra });

function budget(used: Date[], defaultMax = 2): BudgetView {
  return {
    windowMs: 60 * 60_000,
    defaultMax,
    targetOf: (r) => (r.action.type === 'alert_only' ? null : 'throttle'),
    usage: new Map([['throttle', used]]),
  };
}

const decideOne = (input: Partial<Parameters<typeof decide>[0]> & { matched: Parameters<typeof decide>[0]['matched'] }) =>
  decide({ states: new Map<string, RuleState>(), now, requiresApproval: () => false, ...input });

describe('decide: pause and budgets', () => {
  it('decides paused what would execute or ask for approval, until the pause ends', () => {
    const pause = { paused: true, reason: 'incident', by: 'ann', since: minutesAgo(5).toISOString(), until: '2026-03-01T10:30:00.000Z' };
    const [run, gate] = decideOne({ matched: [throttle('run'), throttle('gate')], pause, requiresApproval: (r) => r.name === 'gate' });
    expect(run).toMatchObject({ decision: 'paused', until: '2026-03-01T10:30:00.000Z' });
    expect(run!.reason).toBe('automation is paused by ann until 2026-03-01T10:30:00.000Z: incident; would have run throttle');
    expect(gate!.reason).toMatch(/would have asked for approval/);
    const ended = { ...pause, until: now.toISOString() };
    expect(decideOne({ matched: [throttle('run')], pause: ended })[0]!.decision).toBe('execute');
    expect(decideOne({ matched: [throttle('run')], pause: NOT_PAUSED })[0]!.decision).toBe('execute');
  });

  it('keeps cooldown and an open approval ahead of the pause', () => {
    const pause = { ...NOT_PAUSED, paused: true };
    const states = new Map<string, RuleState>([
      ['cool', { cooldownUntil: new Date('2026-03-01T10:05:00Z'), openApprovalId: null }],
      ['dup', { cooldownUntil: null, openApprovalId: 'abc' }],
    ]);
    const decisions = decideOne({ matched: [throttle('cool'), throttle('dup')], states, pause, requiresApproval: (r) => r.name === 'dup' });
    expect(decisions.map((d) => d.decision)).toEqual(['cooldown', 'duplicate_pending']);
  });

  it('says budget_exhausted with the target and when the oldest counted action leaves the window', () => {
    const used = [minutesAgo(10), minutesAgo(50), minutesAgo(70)];
    const [held] = decideOne({ matched: [throttle('r')], budget: budget(used) });
    expect(held).toMatchObject({ decision: 'budget_exhausted', target: 'throttle', until: '2026-03-01T10:10:00.000Z' });
    expect(held!.reason).toContain('throttle');
    // A rule's own maxActionsPerTarget overrides the default; actions outside the window do not count.
    expect(decideOne({ matched: [throttle('r', { maxActionsPerTarget: 3 })], budget: budget(used) })[0]!.decision).toBe('execute');
    expect(decideOne({ matched: [normalizedRule('note')], budget: budget(used) })[0]!.decision).toBe('execute');
  });
});
