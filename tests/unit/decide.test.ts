import { decide, decisionForRefusal } from '../../src/engine/decide';
import type { RuleState } from '../../src/domain/rule-state';
import { normalizedRule } from '../helpers/rules';

const rule = normalizedRule;

const now = new Date('2026-03-01T10:00:00Z');
const state = (s: Partial<RuleState>): RuleState => ({ cooldownUntil: null, openApprovalId: null, ...s });

describe('decide', () => {
  it('executes, gates, suppresses and dedupes', () => {
    const states = new Map<string, RuleState>([
      ['cool', state({ cooldownUntil: new Date('2026-03-01T10:05:00Z') })],
      ['expired-cool', state({ cooldownUntil: new Date('2026-03-01T10:00:00Z') })],
      ['dup', state({ openApprovalId: 'abc' })],
    ]);
    const decisions = decide({
      matched: [rule('run'), rule('cool'), rule('expired-cool'), rule('gate'), rule('dup')],
      states,
      now,
      requiresApproval: (r) => r.name === 'gate' || r.name === 'dup',
    });
    expect(decisions).toEqual([
      { rule: 'run', decision: 'execute', reason: 'runs alert_only now' },
      { rule: 'cool', decision: 'cooldown', until: '2026-03-01T10:05:00.000Z', reason: 'in cooldown until 2026-03-01T10:05:00.000Z' },
      { rule: 'expired-cool', decision: 'execute', reason: 'runs alert_only now' },
      { rule: 'gate', decision: 'require_approval', reason: 'alert_only needs approval before it runs' },
      { rule: 'dup', decision: 'duplicate_pending', actionId: 'abc', reason: 'an approval for this rule is already pending (abc)' },
    ]);
  });

  it('reports a dispatch the store refused exactly as decide reports the state the winner left', () => {
    const until = new Date('2026-03-01T10:30:00Z');
    const [cooling] = decide({ matched: [rule('r')], states: new Map([['r', state({ cooldownUntil: until })]]), now, requiresApproval: () => false });
    expect(decisionForRefusal('r', { reason: 'cooldown', until })).toEqual(cooling);
    const [pending] = decide({ matched: [rule('r')], states: new Map([['r', state({ openApprovalId: 'p1' })]]), now, requiresApproval: () => true });
    expect(decisionForRefusal('r', { reason: 'duplicate_pending', actionId: 'p1' })).toEqual(pending);
  });

  it('reports cooldown before an open approval', () => {
    const states = new Map([['r', state({ cooldownUntil: new Date('2026-03-01T11:00:00Z'), openApprovalId: 'p' })]]);
    const [d] = decide({ matched: [rule('r')], states, now, requiresApproval: () => true });
    expect(d?.decision).toBe('cooldown');
  });

  it('has no side effects: same input, same output, inputs untouched', () => {
    const states = new Map([['r', state({ cooldownUntil: new Date('2026-03-01T09:00:00Z') })]]);
    const matched = [rule('r')];
    const copy = JSON.stringify([matched, [...states]]);
    const a = decide({ matched, states, now, requiresApproval: () => false });
    const b = decide({ matched, states, now, requiresApproval: () => false });
    expect(a).toEqual(b);
    expect(JSON.stringify([matched, [...states]])).toBe(copy);
  });
});
