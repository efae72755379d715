import type { ActionStatus, VerifySpec } from '../domain/action';
import type { BudgetClaim } from '../domain/budget-slot';
import type { Rule } from '../domain/rule';
import type { RuleDecision } from '../engine/rule-decisions';
import { shadowActs } from '../engine/rule-decisions';
import { budgetClaimOf, type ClosedLoopSettings } from './settings';

/** What a dispatch asks of the port: the action's status and everything the dispatch changes. */
export interface DispatchRequest {
  rule: Rule;
  decision: RuleDecision;
  status: Extract<ActionStatus, 'running' | 'pending_approval' | 'shadowed'>;
  /** The instant the snapshot was stamped with (or the trigger's): the dispatch happens then. */
  now: Date;
  /** The rule's next cooldown end. */
  cooldownUntil: Date;
  /** For an approval: when it expires. */
  expiresAt: Date | null;
  /** The slot of the target's budget it claims; shadow records claim none. */
  budget: BudgetClaim | null;
  target: string | null;
  /** The verification its success opens; null: none (and never for shadow records). */
  verify: VerifySpec | null;
}

/** Does this decision dispatch? An action run or put to approval, or a shadow rule's record of one. */
export function dispatches(d: RuleDecision): boolean {
  return d.decision === 'execute' || d.decision === 'require_approval' || shadowActs(d);
}

/** A rule's next cooldown end when it dispatches at `now`. */
export function cooldownEnd(rule: Rule, now: Date): Date {
  return new Date(now.getTime() + rule.cooldownMinutes * 60_000);
}

/** When an approval asked for at `now` expires. */
export function approvalExpiry(now: Date, timeoutMinutes: number): Date {
  return new Date(now.getTime() + timeoutMinutes * 60_000);
}

/** An approval is open until its expiry; at that instant it has expired (and the sweep marks it so). */
export function approvalExpired(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** Everything a dispatch of `decision` at `now` changes: cooldown end, approval expiry, budget claim. */
export function dispatchRequest(decision: RuleDecision, rule: Rule, now: Date, settings: ClosedLoopSettings): DispatchRequest {
  const shadow = decision.decision === 'shadow';
  const pending = decision.decision === 'require_approval';
  return {
    rule,
    decision,
    status: shadow ? 'shadowed' : pending ? 'pending_approval' : 'running',
    now,
    cooldownUntil: cooldownEnd(rule, now),
    expiresAt: pending ? approvalExpiry(now, settings.approvalTimeoutMinutes) : null,
    budget: shadow ? null : budgetClaimOf(rule, settings),
    target: shadow ? null : settings.targetOf(rule),
    verify: shadow ? null : settings.verifySpecFor(rule),
  };
}
