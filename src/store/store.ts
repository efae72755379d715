import type { ConsoleStore } from './console-store';
import type { StoreKind } from '../config/schema';
import type { NotificationStore } from './notification-store';
import type { CommittedEventStore } from './committed-events';
import type { RulesHistoryStore } from './rules-history-store';
import type { IdempotencyStore } from './idempotency-store';
import type { SilenceStore } from './silence-store';
import type { LeaseStore } from './lease-store';
import type { AlertStore } from './alert-store';
import type { IncidentStore } from './incident-store';
import type { PromptStore, TargetStateStore } from './versioned-state-store';
import type { SnapshotStore } from './snapshot-store';
import type { DispatchStore } from './dispatch-store';
import type { ActionStore } from './action-store';

export type { SnapshotRetention, SnapshotScan } from './snapshot-store';
export type { BudgetClaim, BudgetUsage, RevertInsertOutcome } from './dispatch-store';

/**
 * Everything the service persists, in domain types. Every state change that must be atomic is one
 * method here, so each adapter can make it one conditional write (or one SQLite transaction).
 */
export interface Store
  extends SnapshotStore,
    DispatchStore,
    ActionStore,
    TargetStateStore,
    PromptStore,
    LeaseStore,
    AlertStore {
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
}
