import { type BudgetView, decide, isSharedDecision } from '../../src/engine/decide';
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

  it('makes a rule held by a spent budget one shared decision per target, end and limit, written as JSON like any other', () => {
    const claimedAt = new Date('2026-03-01T09:40:00.000Z');
    const budget = (claims: Date[], max = 1): BudgetView => ({ windowMs: 60 * 60_000, defaultMax: max, targetOf: () => 'svc-a', usage: new Map([['svc-a', claims]]) });
    const held = (view: BudgetView, rule = rules[0]!) => decide({ matched: [rule], states: new Map(), now, requiresApproval: () => false, budget: view })[0]!;
    const first = held(budget([claimedAt]));
    expect(first).toEqual({
      rule: 'a',
      decision: 'budget_exhausted',
      reason: 'budget of target svc-a is spent (1 actions per 60 min) until 2026-03-01T10:40:00.000Z',
      until: '2026-03-01T10:40:00.000Z',
      target: 'svc-a',
    });
    // Shared as it is: the same object on the next snapshot, frozen, its keys in a reply entry's order.
    expect(held(budget([claimedAt]))).toBe(first);
    expect(isSharedDecision(first)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.keys(first)).toEqual(['rule', 'decision', 'reason', 'until', 'target']);
    const reply = ingestReply('id', 'v1', [first as AppliedDecision, ...cooling()], 'all');
    expect(ingestReplyJson(reply)).toBe(JSON.stringify(reply));
    expect(ingestReplyJson(reply)).toBe(ingestReplyJson(ingestReply('id', 'v1', [held(budget([claimedAt])) as AppliedDecision, ...cooling()], 'all')));
    // A later end, another limit: a new decision saying so.
    const later = held(budget([new Date('2026-03-01T09:50:00.000Z')]));
    expect(later).toMatchObject({ until: '2026-03-01T10:50:00.000Z', reason: 'budget of target svc-a is spent (1 actions per 60 min) until 2026-03-01T10:50:00.000Z' });
    const twoAllowed = held(budget([new Date('2026-03-01T09:50:00.000Z'), claimedAt], 2));
    expect(twoAllowed).toMatchObject({ until: '2026-03-01T10:40:00.000Z', reason: 'budget of target svc-a is spent (2 actions per 60 min) until 2026-03-01T10:40:00.000Z' });
    expect(twoAllowed).not.toBe(first);
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
