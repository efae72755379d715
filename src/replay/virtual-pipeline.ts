import type { Rule, Ruleset } from '../domain/rule';
import type { Evaluator } from '../engine/evaluate';
import { decisionForRefusal, evaluationErrorDecision } from '../engine/decide';
import { decideRules, type RuleDecision } from '../engine/rule-decisions';
import { type ClosedLoopSettings, VirtualClosedLoop, type VirtualOutcome } from './virtual-closed-loop';
import { type ApprovalPolicy, VirtualRuleStates } from './virtual-states';

export interface VirtualPipelineOptions {
  ruleset: Ruleset;
  evaluator: Evaluator;
  requiresApproval: (rule: Rule) => boolean;
  approvals: ApprovalPolicy;
  approvalTimeoutMinutes: number;
  /** Budgets and verification windows; absent, neither is played. */
  closedLoop?: ClosedLoopSettings;
}

/** One decision of a replayed snapshot, with the virtual action it dispatched (if any). */
export interface VirtualDecision extends RuleDecision {
  actionId?: string;
}

/** What one replayed snapshot brought: the windows that had ended before it, then its decisions. */
export interface VirtualStep {
  outcomes: VirtualOutcome[];
  decisions: VirtualDecision[];
}

/**
 * Ingest without side effects, on a virtual clock: the same evaluate (enabled rules, priority
 * order) and the same decide as the service, against state kept in memory — cooldowns, open
 * approvals, per-target budgets and verification windows. Automation is never paused in a replay.
 * Replay and `self-healing rules test` run snapshots through this, one at a time and in time order.
 */
export class VirtualPipeline {
  private readonly states: VirtualRuleStates;
  private readonly loop: VirtualClosedLoop | null;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: VirtualPipelineOptions) {
    this.states = new VirtualRuleStates(options.approvals, options.approvalTimeoutMinutes * 60_000);
    this.loop = options.closedLoop ? new VirtualClosedLoop(options.closedLoop) : null;
  }

  async step(metrics: Record<string, unknown>, at: Date, source = 'replay'): Promise<VirtualStep> {
    // Time never runs backwards in a replay: a snapshot stamped earlier than the last is decided at the later time.
    this.lastAt = Math.max(this.lastAt, at.getTime());
    const now = this.lastAt;
    const outcomes = this.loop?.decideEnded(now) ?? [];
    const evaluations = await this.options.evaluator.evaluateEnabled(this.options.ruleset, metrics);
    const matched = evaluations.filter((e) => e.matched).map((e) => e.rule);
    // As in the verification sweep, a rule that threw on a snapshot did not match it.
    this.loop?.observe(source, now, new Set(matched.map((r) => r.name)));
    // As in ingest, a rule that threw is reported in its place and the others are decided as usual.
    const failed = evaluations.filter((e) => e.error !== undefined).map((e) => evaluationErrorDecision(e.rule, e.error!));
    if (matched.length === 0) return { outcomes, decisions: failed };
    const decisions = decideRules({
      matched,
      states: this.states.read(matched.map((r) => r.name), now),
      now: new Date(now),
      requiresApproval: this.options.requiresApproval,
      pause: null,
      ...(this.loop ? { budget: this.loop.budgetView(now) } : {}),
    });
    const applied = decisions.map((d, i): VirtualDecision => {
      const rule = matched[i]!;
      const refused = this.claimBudget(d, rule, now);
      if (refused) return refused;
      const actionId = this.states.record(d, rule, now);
      if (!actionId) return d;
      if (this.runs(d)) this.loop?.open(actionId, rule, source, now);
      return { ...d, actionId };
    });
    if (failed.length === 0) return { outcomes, decisions: applied };
    // Priority order, as evaluate returned them.
    const position = new Map(evaluations.map((e, i) => [e.rule.name, i]));
    const ordered = [...applied, ...failed].sort((a, b) => (position.get(a.rule) ?? 0) - (position.get(b.rule) ?? 0));
    return { outcomes, decisions: ordered };
  }

  /** The virtual time reached: the latest snapshot's; null before the first. */
  get reached(): number | null {
    return Number.isFinite(this.lastAt) ? this.lastAt : null;
  }

  /** When the replay ends at `end`: the windows that ended by then are decided; the rules of those still open. */
  finish(end: number): { outcomes: VirtualOutcome[]; stillOpen: string[] } {
    if (!this.loop) return { outcomes: [], stillOpen: [] };
    const outcomes = this.loop.decideUpTo(end);
    return { outcomes, stillOpen: this.loop.openWindowRules() };
  }

  /** A dispatch takes a budget slot (shadow records never do); refused, it is decided as the store's refusal says. */
  private claimBudget(d: RuleDecision, rule: Rule, now: number): RuleDecision | null {
    if (!this.loop || (d.decision !== 'execute' && d.decision !== 'require_approval')) return null;
    const refusal = this.loop.claim(rule, now);
    return refusal ? decisionForRefusal(rule.name, refusal) : null;
  }

  /** An action that runs — at once, or approved at once under the `approve` policy — succeeds in a replay. */
  private runs(d: RuleDecision): boolean {
    return d.decision === 'execute' || (d.decision === 'require_approval' && this.options.approvals === 'approve');
  }
}
