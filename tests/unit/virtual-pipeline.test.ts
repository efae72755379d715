import type { RuleState } from '../../src/domain/rule-state';
import { Evaluator } from '../../src/engine/evaluate';
import { decideRules } from '../../src/engine/rule-decisions';
import { candidateRuleset } from '../../src/rules/candidate-ruleset';
import { VirtualPipeline } from '../../src/replay/virtual-pipeline';
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
    (await p.step(metrics, at(minute))).map((d) => `${d.rule}:${d.decision}${d.wouldDecide ? `/${d.wouldDecide}` : ''}`);

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

  it('never lets time run backwards: an earlier snapshot is decided at the latest time seen', async () => {
    const p = build('pending', rule('a', { cooldownMinutes: 10 }));
    await p.step(high, at(20));
    const [late] = await p.step(high, at(5));
    expect(late).toMatchObject({ decision: 'cooldown', until: at(30).toISOString() });
  });
});
