import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../domain/action';
import type { NotificationEvent } from '../domain/events';
import type { ActionStatRow } from '../domain/stats';

/** The actions once dispatched: their lifecycle (each change exclusive), the history and its statistics. */
export interface ActionStore {
  getAction(id: string): Promise<ActionRecord | null>;
  listActions(query: ActionQuery): Promise<Page<ActionRecord>>;
  /**
   * Apply `patch` only if the action's status is one of `from` (and, with `outcome`, its outcome is
   * that one); null when it was not. Exclusive: of concurrent callers from one state, one wins.
   * The events `eventsFor` builds from the changed action are committed in the same write as the change.
   */
  transitionAction(
    id: string,
    from: ActionStatus[],
    patch: ActionPatch,
    guard?: { outcome: ActionOutcome },
    eventsFor?: (next: ActionRecord) => NotificationEvent[],
  ): Promise<ActionRecord | null>;
  /** Succeeded actions whose verification is pending and whose window ended at or before `now`, oldest first. */
  listDueVerifications(now: Date, limit: number): Promise<ActionRecord[]>;
  listOverdueApprovals(now: Date): Promise<ActionRecord[]>;
  /** Actions in the given statuses (used at start-up to fail what a crash interrupted). */
  listActionsByStatus(statuses: ActionStatus[]): Promise<ActionRecord[]>;

  /**
   * Per (rule, type): counts and durations of the actions created in [from, to]; reverts are
   * counted as `reverted` of the rule and type they undo, and in nothing else.
   */
  actionStats(from: Date, to: Date): Promise<ActionStatRow[]>;
}

export const ACTION_STORE_METHODS: Record<keyof ActionStore, true> = {
  getAction: true,
  listActions: true,
  transitionAction: true,
  listDueVerifications: true,
  listOverdueApprovals: true,
  listActionsByStatus: true,
  actionStats: true,
};
