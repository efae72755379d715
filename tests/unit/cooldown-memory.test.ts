import { ClosedLoop } from '../../src/closed-loop/closed-loop';
import { CooldownMemory } from '../../src/closed-loop/cooldown-memory';
import { MemoryClosedLoopPort } from '../../src/closed-loop/memory-port';
import type { ClosedLoopSettings } from '../../src/closed-loop/settings';
import { EnabledEvaluation } from '../../src/engine/enabled-evaluation';
import type { RuleEvaluation } from '../../src/engine/evaluate';
import { normalizedRule } from '../helpers/rules';

const now = Date.parse('2026-03-01T10:00:00Z');

describe('the cooldown memory of a decision order', () => {
  it('sees an end remembered after the order was first read, and never one of a shadow rule', () => {
    const memory = new CooldownMemory();
    const order = [normalizedRule('a'), normalizedRule('b'), normalizedRule('c', { mode: 'shadow' })];
    memory.remember('a', new Date(now + 60_000), now);
    const first = memory.ofOrder(order);
    expect([...first.ends]).toEqual([now + 60_000, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(first.applied[0]?.decision).toMatchObject({ rule: 'a', decision: 'cooldown' });

    memory.remember('b', new Date(now + 120_000), now);
    memory.remember('c', new Date(now + 120_000), now);
    const second = memory.ofOrder(order);
    expect([...second.ends]).toEqual([now + 60_000, now + 120_000, Number.NEGATIVE_INFINITY]);
    expect(second.applied[1]?.decision).toMatchObject({ rule: 'b', decision: 'cooldown' });
    expect(second.applied[2]).toBeUndefined();
  });
});

describe('the closed loop over an evaluation by position', () => {
  const settings: ClosedLoopSettings = {
    perTarget: { windowMinutes: 60, maxActions: 100 },
    approvalTimeoutMinutes: 60,
    verifySpecFor: () => null,
    targetOf: () => null,
    revertible: () => false,
  };

  it('makes no evaluation for a match in a known cooldown, only for the one it dispatches', async () => {
    const port = new MemoryClosedLoopPort({ approvals: 'approve', settings, closedLoop: false });
    const loop = new ClosedLoop(port, settings, () => false);
    const order = [normalizedRule('cooling'), normalizedRule('fresh')];
    port.cooldowns.remember('cooling', new Date(now + 60_000), now);
    const asked: number[] = [];
    const evaluated = new EnabledEvaluation(order, [0, 1], null, (k): RuleEvaluation => {
      asked.push(k);
      return { rule: order[k]!, matched: true, matchedFacts: {}, failedConditions: [] };
    });
    const applied = await loop.decideAndApply(evaluated, new Date(now), { source: 'app' }, 'app');
    expect(applied.map((a) => [a.decision.rule, a.decision.decision])).toEqual([
      ['cooling', 'cooldown'],
      ['fresh', 'execute'],
    ]);
    expect(asked).toEqual([1]);
  });
});
