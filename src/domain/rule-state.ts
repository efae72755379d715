import type { ActionRecord } from './action';

/** Per-rule state that `decide` reads: when its cooldown ends and which approval is open. */
export interface RuleState {
  cooldownUntil: Date | null;
  openApprovalId: string | null;
}

/** Why the store refused a dispatch: another dispatch got there first and left this state. */
export type DispatchRefusal =
  | { reason: 'cooldown'; until: Date }
  | { reason: 'duplicate_pending'; actionId: string }
  | { reason: 'budget_exhausted'; target: string; until: Date };

export type DispatchOutcome = { ok: true; action: ActionRecord } | ({ ok: false } & DispatchRefusal);
