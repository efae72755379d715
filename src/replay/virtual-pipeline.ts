import type { Rule, Ruleset } from '../domain/rule';
import type { Evaluator } from '../engine/evaluate';
import { decideRules, type RuleDecision } from '../engine/rule-decisions';
import { type ApprovalPolicy, VirtualRuleStates } from './virtual-states';

export interface VirtualPipelineOptions {
  ruleset: Ruleset;
  evaluator: Evaluator;
  requiresApproval: (rule: Rule) => boolean;
  approvals: ApprovalPolicy;
  approvalTimeoutMinutes: number;
}

/** One decision of a replayed snapshot, with the virtual action it dispatched (if any). */
export interface VirtualDecision extends RuleDecision {
  actionId?: string;
}

/**
 * Ingest without side effects, on a virtual clock: the same evaluate (enabled rules, priority
 * order) and the same decide as the service, against state kept in memory. Replay and
 * `self-healing rules test` run snapshots through this, one at a time and in time order.
 */
export class VirtualPipeline {
  private readonly states: VirtualRuleStates;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: VirtualPipelineOptions) {
    this.states = new VirtualRuleStates(options.approvals, options.approvalTimeoutMinutes * 60_000);
  }

  async step(metrics: Record<string, unknown>, at: Date): Promise<VirtualDecision[]> {
    const now = at.getTime();
    // Time never runs backwards in a replay: a snapshot stamped earlier than the last is decided at the later time.
    this.lastAt = Math.max(this.lastAt, now);
    const matched = (await this.options.evaluator.evaluateEnabled(this.options.ruleset, metrics))
      .filter((e) => e.matched)
      .map((e) => e.rule);
    if (matched.length === 0) return [];
    const decisions = decideRules({
      matched,
      states: this.states.read(matched.map((r) => r.name), this.lastAt),
      now: new Date(this.lastAt),
      requiresApproval: this.options.requiresApproval,
    });
    return decisions.map((d, i) => {
      const actionId = this.states.record(d, matched[i]!, this.lastAt);
      return actionId ? { ...d, actionId } : d;
    });
  }
}
