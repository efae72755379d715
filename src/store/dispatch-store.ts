import type { ActionRecord } from '../domain/action';
import type { BudgetClaim } from '../domain/budget-slot';
import type { NotificationEvent } from '../domain/events';
import type { DispatchOutcome, RuleState } from '../domain/rule-state';

export type { BudgetClaim };

/** Budget use per target: the instants of its claims still inside the window, newest first. */
export type BudgetUsage = Map<string, Date[]>;

export type RevertInsertOutcome = { ok: true } | { ok: false; existingId: string };

/**
 * The dispatch step and what it guards: each rule's cooldown and open approval, each target's
 * budget claims, and the one revert per action. `dispatchAction` is the atomic step of the closed
 * loop (one SQLite transaction; on MongoDB inserts of unique claim documents).
 */
export interface DispatchStore {
  getRuleStates(rules: string[]): Promise<Map<string, RuleState>>;
  /**
   * A number that every write which may change a rule's state moves (a dispatch: cooldown end, open
   * approval; an approval leaving pending), no later than the change is visible. States read after
   * reading it hold for as long as it reads the same, on every instance (RuleStateReader).
   */
  ruleStatesVersion(): Promise<string>;
  /**
   * Atomically: refuse if the rule's cooldown runs past `now` or (for a pending action) an approval
   * for the rule is open; otherwise insert the action and set the cooldown to `cooldownUntil`.
   * `cooldownUntil` null: an action the service asks for itself (a failback), outside the rule's
   * cooldown, which is neither checked nor moved. `events` are committed with the action (none when refused).
   */
  dispatchAction(
    action: ActionRecord,
    cooldownUntil: Date | null,
    now: Date,
    budget?: BudgetClaim,
    events?: NotificationEvent[],
  ): Promise<DispatchOutcome>;
  /** Claims on each target made at or after `since`, newest first (decide's read-only view). */
  getBudgetUsage(targets: string[], since: Date): Promise<BudgetUsage>;
  /**
   * Inserts a revert (an action with `revertOf`), at most one per reverted action: when one exists
   * already, nothing is written and its id is returned. No cooldown, no budget.
   */
  insertRevert(action: ActionRecord): Promise<RevertInsertOutcome>;
}

export const DISPATCH_STORE_METHODS: Record<keyof DispatchStore, true> = {
  getRuleStates: true,
  ruleStatesVersion: true,
  dispatchAction: true,
  getBudgetUsage: true,
  insertRevert: true,
};
