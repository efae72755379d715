import type { RuleState } from '../../src/domain/rule-state';
import { Evaluator } from '../../src/engine/evaluate';
import { decideRules } from '../../src/engine/rule-decisions';
import { candidateRuleset } from '../../src/rules/candidate-ruleset';
import { VirtualPipeline } from '../../src/replay/virtual-pipeline';
import { closedLoopFacts } from '../../src/strategies/closed-loop-facts';
import { createSchemaRegistry } from '../../src/schemas/registry';
import { normalizedRule, rule, rulesDoc } from '../helpers/rules';

const now = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('decideRules', () => {
  it('decides a shadow rule like an enforcing one and reports it as shadow with wouldDecide', () => {
    const states = new Map<string, RuleState>([['cool', { cooldownUntil: at(5), openApprovalId: null }]]);
    const decisions = decideRules({
      matched: [normalizedRule('live'), normalizedRule('trial', { mode: 'shadow' }), normalizedRule('cool', { mode: 'shadow' }), normalizedRule('gated', { mode: 'shadow', requiresApproval: true })],
      states,
      now,
      requiresApproval: (r) => r.requiresApproval === true,
    });
    expect(decisions.map((d) => [d.rule, d.decision, d.wouldDecide])).toEqual([
      ['live', 'execute', undefined],
      ['trial', 'shadow', 'execute'],
      ['cool', 'shadow', 'cooldown'],
      ['gated', 'shadow', 'require_approval'],
    ]);
    expect(decisions[2]).toMatchObject({ until: at(5).toISOString(), reason: `shadow mode, would decide cooldown: in cooldown until ${at(5).toISOString()}` });
  });
});

describe('VirtualPipeline', () => {
  const schemas = createSchemaRegistry();
  const build = (approvals: 'approve' | 'reject' | 'pending', ...rules: Record<string, unknown>[]) => {
    const set = candidateRuleset(schemas, rulesDoc(...rules), now);
    if (!set.ok) throw new Error(JSON.stringify(set.problems));
    return new VirtualPipeline({ ruleset: set.ruleset, evaluator: new Evaluator(), requiresApproval: (r) => r.requiresApproval === true, approvals, approvalTimeoutMinutes: 30 });
  };
  const high = { errorRate: 0.2 };
  const kinds = async (p: VirtualPipeline, minute: number, metrics: Record<string, unknown> = high) =>
    (await p.step(metrics, at(minute))).decisions.map((d) => `${d.rule}:${d.decision}${d.wouldDecide ? `/${d.wouldDecide}` : ''}`);

  it('keeps cooldowns on the virtual clock, for shadow rules too, and skips disabled rules', async () => {
    const p = build('pending', rule('a', { cooldownMinutes: 10 }), rule('s', { mode: 'shadow', cooldownMinutes: 10 }), rule('off', { enabled: false }));
    expect(await kinds(p, 0)).toEqual(['a:execute', 's:shadow/execute']);
    expect(await kinds(p, 9)).toEqual(['a:cooldown', 's:shadow/cooldown']);
    expect(await kinds(p, 10)).toEqual(['a:execute', 's:shadow/execute']);
    expect(await kinds(p, 11, { errorRate: 0 })).toEqual([]);
  });

  it('holds one open approval per rule until it expires, unless approvals are decided at once', async () => {
    const pending = build('pending', rule('g', { requiresApproval: true, cooldownMinutes: 0 }));
    expect(await kinds(pending, 0)).toEqual(['g:require_approval']);
    expect(await kinds(pending, 29)).toEqual(['g:duplicate_pending']);
    expect(await kinds(pending, 30)).toEqual(['g:require_approval']);
    const rejected = build('reject', rule('g', { requiresApproval: true, cooldownMinutes: 0 }));
    expect(await kinds(rejected, 0)).toEqual(['g:require_approval']);
    expect(await kinds(rejected, 1)).toEqual(['g:require_approval']);
  });

  it('reports a rule that throws as evaluation_error in its priority place, as ingest does, and decides the others', async () => {
    const fragile = rule('fragile', { priority: 50, conditions: { all: [{ fact: 'region', operator: 'in', value: { fact: 'limits' } }] } });
    const p = build('pending', rule('low', { priority: 1 }), fragile, rule('high', { priority: 90 }));
    const [first, second, third] = (await p.step({ errorRate: 0.2, region: 'eu', limits: 3 }, at(0))).decisions;
    expect([first?.rule, second?.rule, third?.rule]).toEqual(['high', 'fragile', 'low']);
    expect(second).toMatchObject({ decision: 'evaluation_error', reason: expect.stringMatching(/^rule could not be evaluated/) });
    expect([first?.decision, third?.decision]).toEqual(['execute', 'execute']);
    expect((await p.step({ errorRate: 0, region: 'eu', limits: 3 }, at(1))).decisions.map((d) => d.decision)).toEqual(['evaluation_error']);
  });

  it('never lets time run backwards: an earlier snapshot is decided at the latest time seen', async () => {
    const p = build('pending', rule('a', { cooldownMinutes: 10 }));
    await p.step(high, at(20));
    const [late] = (await p.step(high, at(5))).decisions;
    expect(late).toMatchObject({ decision: 'cooldown', until: at(30).toISOString() });
  });

  describe('budgets and verification windows', () => {
    const facts = closedLoopFacts({
      limits: { perTarget: { windowMinutes: 60, maxActions: 2 } },
      verify: {
        defaults: { model_failover: false, prompt_rollback: false, service_restart: false, throttle: false, alert_only: false },
        sweepIntervalMs: 1000,
      },
    });
    const restart = (name: string, overrides: Record<string, unknown> = {}) =>
      rule(name, { action: { type: 'service_restart', params: { service: 'api' } }, cooldownMinutes: 5, ...overrides });
    const throttle = (name: string, overrides: Record<string, unknown> = {}) =>
      rule(name, { action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 5 } }, cooldownMinutes: 5, ...overrides });
    const loop = (approvals: 'approve' | 'reject' | 'pending', ...rules: Record<string, unknown>[]) => {
      const set = candidateRuleset(schemas, rulesDoc(...rules), now);
      if (!set.ok) throw new Error(JSON.stringify(set.problems));
      return new VirtualPipeline({
        ruleset: set.ruleset,
        evaluator: new Evaluator(),
        requiresApproval: (r) => r.requiresApproval === true,
        approvals,
        approvalTimeoutMinutes: 30,
        closedLoop: facts,
      });
    };

    it('spends a target\'s budget across rules, says until when, and frees the slot when the oldest claim leaves the window', async () => {
      const p = loop('pending', restart('r1'), restart('r2', { priority: 5, maxActionsPerTarget: 3 }));
      expect((await p.step(high, at(0), 'app')).decisions.map((d) => d.decision)).toEqual(['execute', 'execute']);
      // r1's limit is 2 (limits.perTarget), r2's own is 3: both claims count against service:api.
      const second = (await p.step(high, at(10), 'app')).decisions;
      expect(second.map((d) => [d.rule, d.decision])).toEqual([['r1', 'budget_exhausted'], ['r2', 'execute']]);
      expect(second[0]).toMatchObject({ target: 'service:api', until: at(60).toISOString() });
      expect((await p.step(high, at(20), 'app')).decisions.map((d) => d.decision)).toEqual(['budget_exhausted', 'budget_exhausted']);
      // The two claims at minute 0 have left the window; the one at 10 is still in it.
      expect((await p.step(high, at(61), 'app')).decisions.map((d) => d.decision)).toEqual(['execute', 'execute']);
    });

    it('claims a slot for an approval asked for, whatever becomes of it, and none for a shadow rule', async () => {
      const p = loop('reject', restart('gated', { requiresApproval: true, maxActionsPerTarget: 1 }), restart('live', { priority: 5, maxActionsPerTarget: 1 }));
      // Decided on the same snapshot, the second dispatch finds the slot taken, as the store's atomic claim would.
      const both = (await p.step(high, at(0), 'app')).decisions;
      expect(both.map((d) => d.decision)).toEqual(['require_approval', 'budget_exhausted']);
      expect(both[1]).toMatchObject({ target: 'service:api', until: at(60).toISOString(), reason: expect.stringContaining('claimed meanwhile') });
      expect((await p.step(high, at(6), 'app')).decisions.map((d) => d.decision)).toEqual(['budget_exhausted', 'budget_exhausted']);
      const lone = loop('pending', restart('trial', { mode: 'shadow', maxActionsPerTarget: 1 }), restart('live', { priority: 5, maxActionsPerTarget: 1 }));
      expect((await lone.step(high, at(0), 'app')).decisions.map((d) => d.decision)).toEqual(['shadow', 'execute']);
    });

    it('decides each window from the latest snapshot of the same source when it ends, with what the service would do next', async () => {
      const verify = { windowMinutes: 10, onIneffective: 'revert' };
      const p = loop('pending', throttle('t', { verify }), restart('s', { verify, priority: 5 }));
      const first = await p.step(high, at(0), 'app');
      expect(first.decisions.map((d) => d.actionId)).toEqual(['replay-1', 'replay-2']);
      await p.step({ errorRate: 0 }, at(3), 'app');
      await p.step(high, at(6), 'other'); // another source: not watched
      await p.step(high, at(10), 'app'); // at the window's end: still inside it
      const later = await p.step({ errorRate: 0 }, at(11), 'other');
      expect(later.outcomes).toEqual([
        { at: at(10), source: 'app', rule: 't', actionId: 'replay-1', outcome: 'ineffective', recoveredAt: at(3), followUp: 'revert' },
        // service_restart has no inverse: an ineffective restart is escalated.
        { at: at(10), source: 'app', rule: 's', actionId: 'replay-2', outcome: 'ineffective', recoveredAt: at(3), followUp: 'escalate' },
      ]);
      expect(later.decisions).toEqual([]);
    });

    it('says effective when the latest snapshot no longer matches and unknown when none came; windows open at the end stay open', async () => {
      const verify = { windowMinutes: 5, onIneffective: 'escalate' };
      const p = loop('approve', throttle('t', { verify, requiresApproval: true, maxActionsPerTarget: 10 }));
      expect((await p.step(high, at(0), 'app')).decisions.map((d) => d.decision)).toEqual(['require_approval']);
      await p.step({ errorRate: 0 }, at(2), 'app');
      expect((await p.step(high, at(6), 'app')).outcomes).toMatchObject([{ outcome: 'effective', recoveredAt: at(2) }]);
      expect((await p.step(high, at(12), 'other')).outcomes).toMatchObject([{ outcome: 'unknown', recoveredAt: null, at: at(11) }]);
      // The action at 12 watches source `other`, which sends nothing more.
      expect(p.finish(at(13).getTime())).toEqual({ outcomes: [], stillOpen: ['t'] });
      expect((await p.step(high, at(20), 'app')).outcomes).toMatchObject([{ source: 'other', outcome: 'unknown', at: at(17) }]);
      expect(p.finish(at(24).getTime())).toEqual({ outcomes: [], stillOpen: ['t'] });
      expect(p.finish(at(25).getTime())).toMatchObject({ outcomes: [{ rule: 't', outcome: 'unknown', at: at(25) }], stillOpen: [] });
    });

    it('opens no window for an approval left pending or refused', async () => {
      const p = loop('reject', throttle('t', { verify: { windowMinutes: 1, onIneffective: 'none' }, requiresApproval: true }));
      await p.step(high, at(0), 'app');
      expect(p.finish(at(5).getTime())).toEqual({ outcomes: [], stillOpen: [] });
    });
  });
});
