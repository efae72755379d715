import { decide } from '../../src/engine/decide';
import type { ActiveInhibitor, InhibitionView } from '../../src/engine/inhibition';
import { inhibitingState } from '../../src/closed-loop/inhibition-window';
import { Evaluator } from '../../src/engine/evaluate';
import { candidateRuleset } from '../../src/rules/candidate-ruleset';
import { validateRulesDocument } from '../../src/rules/validate-rules';
import { VirtualPipeline } from '../../src/replay/virtual-pipeline';
import { closedLoopFacts } from '../../src/strategies/closed-loop-facts';
import { createSchemaRegistry } from '../../src/schemas/registry';
import type { Rule } from '../../src/domain/rule';
import { normalizedRule, rule, rulesDoc } from '../helpers/rules';

const now = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const schemas = createSchemaRegistry();

const failover = normalizedRule('failover', { priority: 90, action: { type: 'model_failover', params: {} }, inhibits: { types: ['throttle', 'service_restart'], sameSource: true } });
const throttle = normalizedRule('throttle', { priority: 50, action: { type: 'throttle', params: {} } });
const restart = normalizedRule('restart', { priority: 10, action: { type: 'service_restart', params: { service: 'api' } } });
const targetOf = (r: Rule) => ({ model_failover: 'router', throttle: 'throttle', service_restart: 'service:api' })[r.action.type as 'throttle'] ?? null;
const view = (active: ActiveInhibitor[], source = 'agentx'): InhibitionView => ({ active, targetOf, source });
const decideWith = (matched: Rule[], inhibition?: InhibitionView, extra: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ matched, states: new Map(), now, requiresApproval: () => false, inhibition, ...extra });

describe('inhibition in decide', () => {
  it('a higher-priority dispatch on the same snapshot inhibits the lower rules it names, as a sequential run would', () => {
    const [f, t, r] = decideWith([failover, throttle, restart], view([]));
    expect(f).toMatchObject({ decision: 'execute' });
    expect(t).toEqual({
      rule: 'throttle',
      decision: 'inhibited',
      inhibitedBy: { rule: 'failover' },
      reason: 'inhibited by rule failover (dispatched on this snapshot); would have run throttle',
    });
    expect(r).toMatchObject({ decision: 'inhibited', inhibitedBy: { rule: 'failover' } });
  });

  it('an active action inhibits (naming it and until when); another source, a lower priority inhibitor or no view does not', () => {
    const running: ActiveInhibitor = { actionId: 'a1', rule: failover, target: 'router', source: 'agentx', state: 'verifying until 2026-03-01T10:05:00.000Z', until: at(5).toISOString() };
    expect(decideWith([throttle], view([running]))[0]).toEqual({
      rule: 'throttle',
      decision: 'inhibited',
      inhibitedBy: { rule: 'failover', actionId: 'a1' },
      until: at(5).toISOString(),
      reason: 'inhibited by rule failover (action a1, verifying until 2026-03-01T10:05:00.000Z); would have run throttle',
    });
    expect(decideWith([throttle], view([running], 'other'))[0]?.decision).toBe('execute');
    expect(decideWith([throttle], undefined)[0]?.decision).toBe('execute');
    // Priority order: the throttle decided before the failover is not held back by it.
    expect(decideWith([throttle, failover], view([])).map((d) => d.decision)).toEqual(['execute', 'execute']);
  });

  it('keeps cooldown, an open approval and the pause ahead of inhibition, and inhibition ahead of a spent budget', () => {
    const running: ActiveInhibitor = { actionId: 'a1', rule: failover, target: 'router', source: 'agentx', state: 'running' };
    const states = new Map([['throttle', { cooldownUntil: at(3), openApprovalId: null }]]);
    expect(decideWith([throttle], view([running]), { states })[0]?.decision).toBe('cooldown');
    const paused = { paused: true, since: now.toISOString(), until: null, by: 'ops', reason: 'maintenance' };
    expect(decideWith([throttle], view([running]), { pause: paused as never })[0]?.decision).toBe('paused');
    const budget = { windowMs: 3_600_000, defaultMax: 1, targetOf, usage: new Map([['throttle', [now]]]) };
    expect(decideWith([throttle], view([running]), { budget })[0]?.decision).toBe('inhibited');
  });

  it('sameTarget holds back only rules acting on the inhibiting action\'s target; a shadow rule never inhibits', () => {
    const sameTarget = normalizedRule('slow-down', { priority: 90, action: { type: 'throttle', params: {} }, inhibits: { rules: ['throttle', 'restart'], sameTarget: true } });
    expect(decideWith([sameTarget, throttle, restart], view([])).map((d) => d.decision)).toEqual(['execute', 'inhibited', 'execute']);
    const shadow = { ...failover, mode: 'shadow' as const };
    expect(decideWith([shadow, throttle], view([])).map((d) => d.decision)).toEqual(['execute', 'execute']);
  });
});

describe('which actions inhibit', () => {
  const base = { id: 'a', rule: 'failover', createdAt: now, expiresAt: null, target: 'router', source: 'agentx' };
  const spec = { ...failover, inhibits: { types: ['throttle' as const], whileMinutes: 10 } };
  it('running, pending approval until it expires, verifying until its window ends, and for whileMinutes after dispatch', () => {
    expect(inhibitingState({ ...base, status: 'running' }, failover, at(1))).toEqual({ state: 'running' });
    expect(inhibitingState({ ...base, status: 'pending_approval', expiresAt: at(30) }, failover, at(29))).toEqual({ state: 'pending approval', until: at(30).toISOString() });
    expect(inhibitingState({ ...base, status: 'pending_approval', expiresAt: at(30) }, failover, at(30))).toBeNull();
    expect(inhibitingState({ ...base, status: 'succeeded', outcome: 'pending', verifyUntil: at(5) }, failover, at(4))).toMatchObject({ until: at(5).toISOString() });
    expect(inhibitingState({ ...base, status: 'succeeded', outcome: 'pending', verifyUntil: at(5) }, failover, at(5))).toBeNull();
    expect(inhibitingState({ ...base, status: 'succeeded', outcome: 'effective', verifyUntil: at(5) }, spec, at(9))).toMatchObject({ until: at(10).toISOString() });
    expect(inhibitingState({ ...base, status: 'succeeded' }, spec, at(10))).toBeNull();
  });

  it('a failed, rejected or expired action and a revert never inhibit', () => {
    for (const status of ['failed', 'rejected', 'expired'] as const) expect(inhibitingState({ ...base, status }, spec, at(1))).toBeNull();
    expect(inhibitingState({ ...base, status: 'running', revertOf: 'x' }, spec, at(1))).toBeNull();
  });
});

describe('inhibits in the rules file', () => {
  it('refuses unknown rule names, cycles (naming them) and numbers out of range', () => {
    const result = validateRulesDocument(
      schemas,
      rulesDoc(
        rule('a', { inhibits: { rules: ['b', 'ghost'] } }),
        rule('b', { action: { type: 'throttle', params: {} }, inhibits: { rules: ['c'] } }),
        rule('c', { inhibits: { types: ['throttle'] } }),
        rule('d', { inhibits: { types: ['throttle'], whileMinutes: 0 } }),
      ),
    );
    expect(result.ok).toBe(false);
    const problems = !result.ok ? result.problems : [];
    expect(problems).toContainEqual({ pointer: '/rules/0/inhibits/rules/1', message: 'inhibits an unknown rule "ghost"' });
    expect(problems).toContainEqual({ pointer: '/rules/2/inhibits', message: 'inhibition cycle: b → c → b (rules must not inhibit each other in a circle)' });
    expect(problems.some((p) => p.pointer.startsWith('/rules/3/inhibits/whileMinutes'))).toBe(true);
  });

  it('accepts a chain that is no cycle', () => {
    const ok = validateRulesDocument(schemas, rulesDoc(rule('a', { inhibits: { rules: ['b'], sameSource: true, whileMinutes: 15 } }), rule('b', { inhibits: { rules: ['c'] } }), rule('c')));
    expect(ok.ok).toBe(true);
  });
});

describe('inhibition in replay (the in-memory port)', () => {
  const facts = closedLoopFacts({
    limits: { perTarget: { windowMinutes: 60, maxActions: 5 } },
    verify: {
      defaults: { model_failover: { windowMinutes: 5, onIneffective: 'none' }, prompt_rollback: false, service_restart: false, throttle: false, alert_only: false },
      sweepIntervalMs: 1000,
    },
  });
  it('inhibits while the failover is verified, then lets the throttle act', async () => {
    const set = candidateRuleset(
      schemas,
      rulesDoc(
        rule('failover', { priority: 90, cooldownMinutes: 10, action: { type: 'model_failover', params: {} }, inhibits: { types: ['throttle'], sameSource: true } }),
        rule('throttle', { priority: 50, cooldownMinutes: 0, action: { type: 'throttle', params: {} } }),
      ),
      now,
    );
    if (!set.ok) throw new Error(JSON.stringify(set.problems));
    const p = new VirtualPipeline({ ruleset: set.ruleset, evaluator: new Evaluator(), requiresApproval: () => false, approvals: 'approve', approvalTimeoutMinutes: 30, closedLoop: facts });
    const step = async (minute: number, source = 'agentx') => (await p.step({ errorRate: 0.2 }, at(minute), source)).decisions.map((d) => `${d.rule}:${d.decision}${d.inhibitedBy ? `<${d.inhibitedBy.actionId}` : ''}`);
    expect(await step(0)).toEqual(['failover:execute', 'throttle:inhibited<replay-1']);
    expect(await step(3, 'other')).toEqual(['failover:cooldown', 'throttle:execute']);
    expect(await step(4)).toEqual(['failover:cooldown', 'throttle:inhibited<replay-1']);
    // The failover's window ended at minute 5: the throttle is free again.
    expect(await step(5)).toEqual(['failover:cooldown', 'throttle:execute']);
  });
});
