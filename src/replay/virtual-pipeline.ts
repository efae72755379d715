import type { Rule, Ruleset } from '../domain/rule';
import type { Silence } from '../silences/silence';
import type { Evaluator } from '../engine/evaluate';
import type { RuleDecision } from '../engine/rule-decisions';
import { ClosedLoop } from '../closed-loop/closed-loop';
import { type ApprovalPolicy, type MemoryContext, MemoryClosedLoopPort, type VirtualOutcome } from '../closed-loop/memory-port';
import type { ClosedLoopFacts, ClosedLoopSettings } from '../closed-loop/settings';
import { inhibitingRulesOf } from '../closed-loop/inhibition-window';

export interface VirtualPipelineOptions {
  ruleset: Ruleset;
  evaluator: Evaluator;
  requiresApproval: (rule: Rule) => boolean;
  approvals: ApprovalPolicy;
  approvalTimeoutMinutes: number;
  /** Budgets and verification windows; absent, neither is played. */
  closedLoop?: ClosedLoopFacts;
  /** The stored silences (expired ones too), each in force at the instants it was then; none: no silences. */
  silences?: readonly Silence[];
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

const NO_CLOSED_LOOP: ClosedLoopFacts = {
  perTarget: { windowMinutes: 1, maxActions: 1 },
  verifySpecFor: () => null,
  targetOf: () => null,
  revertible: () => false,
};

/**
 * Ingest without side effects, on a virtual clock: the same evaluate (enabled rules, priority order)
 * and the same closed loop as the service (`src/closed-loop/`: decide, dispatch, budgets,
 * verification), with its state in memory instead of the store. Replay and `self-healing rules test`
 * run snapshots through this, one at a time and in time order.
 */
export class VirtualPipeline {
  private readonly port: MemoryClosedLoopPort;
  private readonly loop: ClosedLoop<MemoryContext>;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: VirtualPipelineOptions) {
    const settings: ClosedLoopSettings = { ...(options.closedLoop ?? NO_CLOSED_LOOP), approvalTimeoutMinutes: options.approvalTimeoutMinutes };
    this.port = new MemoryClosedLoopPort({ approvals: options.approvals, settings, closedLoop: options.closedLoop !== undefined, silences: options.silences });
    this.loop = new ClosedLoop(this.port, settings, options.requiresApproval, () => inhibitingRulesOf(options.ruleset.rules));
  }

  async step(metrics: Record<string, unknown>, at: Date, source = 'replay'): Promise<VirtualStep> {
    // Time never runs backwards in a replay: a snapshot stamped earlier than the last is decided at the later time.
    this.lastAt = Math.max(this.lastAt, at.getTime());
    const now = new Date(this.lastAt);
    // The sweep's work comes first: windows whose end is past are decided before this snapshot.
    const outcomes = this.port.decideDue(now);
    const evaluated = await this.options.evaluator.evaluateEnabled(this.options.ruleset, metrics);
    // As in the verification sweep, a rule that threw on a snapshot did not match it.
    this.port.observe(source, now, new Set(evaluated.matchedRules().map((r) => r.name)));
    const applied = await this.loop.decideAndApply(evaluated, now, { source }, source);
    const decisions = applied.map(({ decision }): VirtualDecision => {
      const { status: _status, ...d } = decision;
      return d;
    });
    return { outcomes, decisions };
  }

  /** The virtual time reached: the latest snapshot's; null before the first. */
  get reached(): number | null {
    return Number.isFinite(this.lastAt) ? this.lastAt : null;
  }

  /** When the replay ends at `end`: the windows that ended by then are decided; the rules of those still open. */
  finish(end: number): { outcomes: VirtualOutcome[]; stillOpen: string[] } {
    const outcomes = this.port.decideUpTo(new Date(end));
    return { outcomes, stillOpen: this.port.openWindowRules() };
  }
}
