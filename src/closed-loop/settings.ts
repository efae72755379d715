import type { VerifySpec } from '../domain/action';
import type { BudgetClaim } from '../domain/budget-slot';
import type { ActionType, Rule } from '../domain/rule';

/** The service's limits, verification defaults and strategies' facts, as the closed loop reads them. */
export interface ClosedLoopSettings {
  /** limits.perTarget */
  perTarget: { windowMinutes: number; maxActions: number };
  /** approvals.timeoutMinutes */
  approvalTimeoutMinutes: number;
  /** The verification in force for a rule (its own `verify`, else its type's default); null: none. */
  verifySpecFor: (rule: Rule) => VerifySpec | null;
  targetOf: (rule: Rule) => string | null;
  revertible: (type: ActionType) => boolean;
  /**
   * limits.perIncident and the group key a dispatch of a rule on a snapshot of `source` joins
   * (docs/incidents.md); absent: no per-incident budget (replay keeps no incidents).
   */
  perIncident?: { maxActions: number; keyOf: (rule: Rule, source: string | null) => string };
}

/** The budget slot a dispatch of `rule` must claim, or null when its action has no target. */
export function budgetClaimOf(rule: Rule, settings: Pick<ClosedLoopSettings, 'perTarget' | 'targetOf'>): BudgetClaim | null {
  const target = settings.targetOf(rule);
  if (target === null) return null;
  return { target, windowMs: settings.perTarget.windowMinutes * 60_000, maxActions: rule.maxActionsPerTarget ?? settings.perTarget.maxActions };
}

/** The settings without the approval timeout, which replay and the CLI take on their own. */
export type ClosedLoopFacts = Omit<ClosedLoopSettings, 'approvalTimeoutMinutes'>;
