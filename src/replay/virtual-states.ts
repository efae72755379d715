import type { Rule } from '../domain/rule';
import type { RuleState } from '../domain/rule-state';
import type { RuleDecision } from '../engine/rule-decisions';
import { shadowActs } from '../engine/rule-decisions';

/** What happens to the approvals a replay asks for: granted, refused, or left open until they expire. */
export const APPROVAL_POLICIES = ['approve', 'reject', 'pending'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

/**
 * The per-rule state a replay decides against, kept in memory on the virtual clock: the same two
 * facts `decide` reads from the store in the service (cooldown end, open approval), changed the way
 * the store's dispatch changes them.
 */
export class VirtualRuleStates {
  private readonly cooldowns = new Map<string, number>();
  private readonly openApprovals = new Map<string, { id: string; expiresAt: number }>();
  private sequence = 0;

  constructor(
    private readonly approvals: ApprovalPolicy,
    private readonly approvalTimeoutMs: number,
  ) {}

  /** The states of `rules` at `now`; an approval left open past its expiry is gone, as the sweep would make it. */
  read(rules: readonly string[], now: number): Map<string, RuleState> {
    const states = new Map<string, RuleState>();
    for (const rule of rules) {
      const until = this.cooldowns.get(rule);
      let open = this.openApprovals.get(rule);
      if (open && open.expiresAt <= now) {
        this.openApprovals.delete(rule);
        open = undefined;
      }
      states.set(rule, {
        cooldownUntil: until !== undefined && until > now ? new Date(until) : null,
        openApprovalId: open?.id ?? null,
      });
    }
    return states;
  }

  /**
   * Plays a decision's dispatch: an action run or put to approval (or a shadow rule's record) takes
   * the cooldown; an approval stays open only under the `pending` policy. Returns the virtual action id.
   */
  record(decision: RuleDecision, rule: Rule, now: number): string | undefined {
    const dispatched = decision.decision === 'execute' || decision.decision === 'require_approval' || shadowActs(decision);
    if (!dispatched) return undefined;
    this.sequence += 1;
    const id = `replay-${this.sequence}`;
    this.cooldowns.set(rule.name, now + rule.cooldownMinutes * 60_000);
    if (decision.decision === 'require_approval' && this.approvals === 'pending') {
      this.openApprovals.set(rule.name, { id, expiresAt: now + this.approvalTimeoutMs });
    }
    return id;
  }
}
