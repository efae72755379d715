import { copyDecisionDetails, type DecisionDetails } from '../../src/domain/decision';
import { cooldownDecision } from '../../src/engine/decide';

type Entry = DecisionDetails & { rule: string; decision: string; reason: string };

describe('a decision\'s optional members in replies', () => {
  const every: Required<DecisionDetails> = {
    incidentId: '0193e3a0-0000-7000-8000-000000000009',
    silenceId: 'sil-1',
    inhibitedBy: { rule: 'root', actionId: 'act-0' },
    target: 'throttle',
    status: 'running',
    actionId: 'act-1',
    until: '2026-03-01T10:30:00.000Z',
    wouldDecide: 'execute',
  };

  it('follow the entry\'s own members, in one order whatever order the decision holds them in', () => {
    const entry = copyDecisionDetails<Entry>({ rule: 'r', decision: 'shadow', reason: 'why' }, every);
    expect(Object.keys(entry)).toEqual(['rule', 'decision', 'reason', 'wouldDecide', 'until', 'actionId', 'status', 'target', 'inhibitedBy', 'silenceId', 'incidentId']);
    expect(entry.inhibitedBy).toBe(every.inhibitedBy);
  });

  it('leave out what the decision does not set', () => {
    const entry = copyDecisionDetails<Entry>({ rule: 'r', decision: 'budget_exhausted', reason: 'spent' }, { target: 'router', until: every.until });
    expect(JSON.stringify(entry)).toBe('{"rule":"r","decision":"budget_exhausted","reason":"spent","until":"2026-03-01T10:30:00.000Z","target":"router"}');
  });

  it('read like the shared cooldown decision ingest returns as it is', () => {
    const shared = cooldownDecision('r', new Date(every.until));
    const copied = copyDecisionDetails<Entry>({ rule: shared.rule, decision: shared.decision, reason: shared.reason }, shared);
    expect(JSON.stringify(copied)).toBe(JSON.stringify(shared));
  });
});
