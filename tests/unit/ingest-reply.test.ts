import { decide } from '../../src/engine/decide';
import { ingestReply, ingestReplyJson } from '../../src/pipeline/ingest-reply';
import type { AppliedDecision } from '../../src/pipeline/remediation-service';
import { normalizedRule } from '../helpers/rules';

describe('ingest replies', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');
  const until = new Date('2026-03-01T10:30:00.000Z');
  const rules = ['a', 'b', 'c'].map((name) => normalizedRule(name, { conditions: { all: [] } } as never));
  const states = new Map(rules.map((r) => [r.name, { cooldownUntil: until, openApprovalId: null }]));
  const cooling = () => decide({ matched: rules, states, now, requiresApproval: () => false }) as AppliedDecision[];

  it('writes the same JSON text as JSON.stringify, shared cooldown decisions and others alike', () => {
    const executed: AppliedDecision = { rule: 'x "quoted"', decision: 'execute', reason: 'runs alert_only now', actionId: 'act-1', status: 'running' };
    const reply = ingestReply('0193e3a0-0000-7000-8000-000000000000', 'v1', [...cooling(), executed], 'all');
    expect(ingestReplyJson(reply)).toBe(JSON.stringify(reply));
    // Asked again (the cooldown decisions are now shared and their text kept): still the same.
    const again = ingestReply('0193e3a0-0000-7000-8000-000000000001', 'v1', [executed, ...cooling()], 'all');
    expect(ingestReplyJson(again)).toBe(JSON.stringify(again));
    expect(JSON.parse(ingestReplyJson(again)).decisions[1]).toEqual({
      rule: 'a',
      decision: 'cooldown',
      reason: 'in cooldown until 2026-03-01T10:30:00.000Z',
      until: '2026-03-01T10:30:00.000Z',
    });
  });

  it('makes a rule in cooldown one shared decision per cooldown end, and a new one when the end moves', () => {
    const [first] = cooling();
    expect(cooling()[0]).toBe(first);
    const later = new Date(until.getTime() + 60_000);
    const moved = decide({ matched: [rules[0]!], states: new Map([['a', { cooldownUntil: later, openApprovalId: null }]]), now, requiresApproval: () => false });
    expect(moved[0]).toMatchObject({ rule: 'a', until: later.toISOString() });
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('leaves out cooldown and duplicate_pending decisions only when asked, and counts them either way', () => {
    const pending: AppliedDecision = { rule: 'p', decision: 'duplicate_pending', reason: 'pending', actionId: 'act-2' };
    const error: AppliedDecision = { rule: 'e', decision: 'evaluation_error', reason: 'rule could not be evaluated: boom' };
    const decisions = [...cooling(), pending, error];
    const all = ingestReply('id', 'v1', decisions, 'all');
    const acted = ingestReply('id', 'v1', decisions, 'acted');
    expect(all.decisions).toHaveLength(5);
    expect(acted.decisions).toEqual([error]);
    expect(acted.counts).toEqual({ cooldown: 3, duplicate_pending: 1, evaluation_error: 1 });
    expect(all.counts).toEqual(acted.counts);
  });
});
