import type { ActionRecord } from './action';

/** Per-rule state that `decide` reads: when its cooldown ends and which approval is open. */
export interface RuleState {
  cooldownUntil: Date | null;
  openApprovalId: string | null;
  /**
   * Set when `cooldownUntil` belongs to a dispatch still under way (MongoDB: its window is claimed,
   * its action not yet inserted). It holds now — a dispatch is refused until it — but that dispatch
   * may yet give it back, so it is not a known end (RuleStateReader does not remember it).
   */
  cooldownTentative?: true;
}

/** Why the store refused a dispatch: another dispatch got there first and left this state. */
export type DispatchRefusal =
  | {
      reason: 'cooldown';
      until: Date;
      /** As RuleState.cooldownTentative: the dispatch that claimed this window may yet give it back. */
      tentative?: true;
    }
  | { reason: 'duplicate_pending'; actionId: string }
  | { reason: 'budget_exhausted'; target: string; until: Date };

export type DispatchOutcome = { ok: true; action: ActionRecord } | ({ ok: false } & DispatchRefusal);
