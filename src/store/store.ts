import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../domain/action';
import type { ActionStatRow } from '../domain/stats';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../domain/snapshot';
import type { ConsoleStore } from './console-store';
import type { StoreKind } from '../config/schema';
import type { DispatchOutcome, RuleState } from '../domain/rule-state';
import type { NotificationStore } from './notification-store';
import type { CommittedEventStore } from './committed-events';
import type { NotificationEvent } from '../domain/events';
import type { RulesHistoryStore } from './rules-history-store';
import type { IdempotencyStore } from './idempotency-store';
import type { SilenceStore } from './silence-store';
import type { LeaseStore } from './lease-store';
import type { AlertStore } from './alert-store';
import type { IncidentStore } from './incident-store';
import type { PromptStore, TargetStateStore } from './versioned-state-store';

import type { BudgetClaim } from '../domain/budget-slot';

export type { BudgetClaim };

/** Budget use per target: the instants of its claims still inside the window, newest first. */
export type BudgetUsage = Map<string, Date[]>;

export type RevertInsertOutcome = { ok: true } | { ok: false; existingId: string };

export interface SnapshotRetention {
  /** Delete snapshots received before this instant. */
  olderThan?: Date;
  /** Keep at most this many of the newest snapshots. */
  keepNewest?: number;
}

/** A slice of the stored snapshots in the order they were received, for replay. */
export interface SnapshotScan {
  /** Received at or after. */
  from?: Date;
  /** Received at or before. */
  to?: Date;
  sources?: string[];
  /** Strictly after this position (received-at ms, id) in (receivedAt, id) order. */
  after?: { at: number; id: string };
  limit: number;
}

/**
 * Everything the service persists, in domain types. Every state change that must be atomic is one
 * method here, so each adapter can make it one conditional write (or one SQLite transaction).
 */
export interface Store extends TargetStateStore, PromptStore, LeaseStore, AlertStore {
  readonly kind: StoreKind;
  /** Outbound-event outbox and inbound replay protection (the n8n integration). */
  readonly notifications: NotificationStore;
  /** Events written in the same write as their cause, until the relay has put them in the outbox. */
  readonly committedEvents: CommittedEventStore;
  /** Every accepted version of the rules file. */
  readonly rulesHistory: RulesHistoryStore;
  /** Browser-console sessions and the event journal behind GET /api/events. */
  readonly console: ConsoleStore;
  /** Idempotency-Keys of ingest requests and the replies they got. */
  readonly idempotency: IdempotencyStore;
  /** Silences and their history (expired ones are kept). */
  readonly silences: SilenceStore;
  /** Incidents: what one cause set off, grouped (docs/incidents.md). */
  readonly incidents: IncidentStore;
  init(): Promise<void>;
  close(): Promise<void>;
  /** True when the store answers a trivial query. */
  ping(): Promise<boolean>;

  insertSnapshot(snapshot: StoredSnapshot): Promise<void>;
  /**
   * Stores several snapshots at once: one transaction on SQLite (all or none); one insertMany on
   * MongoDB, which has no transactions here (a failure part-way keeps the ones before it).
   */
  insertSnapshots(snapshots: StoredSnapshot[]): Promise<void>;
  getSnapshot(id: string): Promise<StoredSnapshot | null>;
  countSnapshots(): Promise<number>;
  /** Snapshots from `source` received after `from` and at or before `to`, oldest first, at most `limit`. */
  listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]>;
  /** The newest snapshot from `source` received after `after`, or null. */
  latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null>;
  pruneSnapshots(retention: SnapshotRetention): Promise<number>;
  /** Oldest first by (receivedAt, id): page through with `after` set to the last one returned. */
  scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]>;
  /** Newest first by (receivedAt, id), from the (source, receivedAt) or receivedAt index. */
  listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>>;
  /** Every source with its newest snapshot and its count, by source name (at most `limit`). */
  listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]>;
  /**
   * One fact's numeric values from `source` received in [from, to], read by the (source,
   * receivedAt) index and downsampled per `stepMs` bucket to its minimum and maximum (SeriesBuckets).
   * Snapshots where the path is missing or not a number are skipped.
   */
  snapshotSeries(query: SeriesQuery): Promise<SeriesResult>;

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
