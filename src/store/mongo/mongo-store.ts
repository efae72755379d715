import type { Clock } from '../../clock';
import type { FaultPoints } from '../../domain/fault-points';
import { ACTION_STORE_METHODS, type ActionStore } from '../action-store';
import { ALERT_STORE_METHODS, type AlertStore } from '../alert-store';
import { expose } from '../compose';
import { DISPATCH_STORE_METHODS, type DispatchStore } from '../dispatch-store';
import { LEASE_STORE_METHODS, type LeaseStore } from '../lease-store';
import { SNAPSHOT_STORE_METHODS, type SnapshotStore } from '../snapshot-store';
import type { Store } from '../store';
import { TARGET_STATE_METHODS, type PromptStore, type TargetStateStore } from '../versioned-state-store';
import { openConnection } from './connection';
import { createModels } from './models';
import { clearActionEvents, MongoActionStore } from './mongo-action-store';
import { MongoAlertStore } from './mongo-alert-store';
import { MongoCommittedEvents } from './mongo-committed-events';
import { MongoConsoleStore } from './mongo-console-store';
import { MongoContext } from './mongo-context';
import { MongoDispatchStore } from './mongo-dispatch-store';
import { MongoIdempotencyStore } from './mongo-idempotency-store';
import { MongoIncidentStore } from './mongo-incident-store';
import { MongoLeaseStore } from './mongo-lease-store';
import { MongoNotificationStore } from './mongo-notification-store';
import { MongoRulesHistoryStore } from './mongo-rules-history-store';
import { MongoSilenceStore } from './mongo-silence-store';
import { MongoSnapshotStore } from './mongo-snapshot-store';
import { MongoVersionedState } from './mongo-versioned-state';

export interface MongoStoreOptions {
  uri: string;
  /** Overrides the database named in the URI. */
  dbName?: string;
  serverSelectionTimeoutMs?: number;
  /** How long `ping` waits before calling the store unreachable. */
  pingTimeoutMs?: number;
  /**
   * Wall time for the adapter's own crash recovery (how old a half-finished claim must be before
   * another writer completes or clears it); domain time still comes in as method arguments.
   */
  clock?: Clock;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
}

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface MongoStore
  extends SnapshotStore,
    DispatchStore,
    ActionStore,
    TargetStateStore,
    PromptStore,
    LeaseStore,
    AlertStore {}

/**
 * The MongoDB store, through mongoose, on a connection of its own.
 *
 * No transactions, and no conditional update is trusted to be exclusive: on FerretDB 1.24 a
 * conditional update or findOneAndUpdate reads, then writes by `_id`, so twenty concurrent ones on
 * one document can all "win" (measured; docs/mongodb.md). What is exclusive on FerretDB and MongoDB
 * alike is inserting a document whose `_id` exists (duplicate key) and deleting one. So every atomic
 * change here is won by inserting a claim document with a deterministic `_id`:
 *  - cooldowns: one document per dispatch, `<rule>#<seq>`; dispatching inserts seq+1;
 *  - the open approval of a rule: `approval_claims` document `_id: <rule>`;
 *  - state, prompts, leases: one document per revision/term, `<key>#<revision>`;
 *  - action transitions and alert acknowledgements: a `claims` document naming the change, and only
 *    its owner then writes the target document (nobody else writes it meanwhile).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  readonly notifications: MongoNotificationStore;
  readonly committedEvents: MongoCommittedEvents;
  readonly rulesHistory: MongoRulesHistoryStore;
  readonly console: MongoConsoleStore;
  readonly idempotency: MongoIdempotencyStore;
  readonly silences: MongoSilenceStore;
  readonly incidents: MongoIncidentStore;
  private readonly ctx: MongoContext;

  constructor(private readonly options: MongoStoreOptions) {
    this.ctx = new MongoContext(options.clock, options.faults);
    this.notifications = new MongoNotificationStore(() => this.conn);
    this.committedEvents = new MongoCommittedEvents(() => this.conn, (id, relayed) => clearActionEvents(this.ctx, id, relayed));
    expose(this, new MongoSnapshotStore(this.ctx), SNAPSHOT_STORE_METHODS);
    expose(this, new MongoDispatchStore(this.ctx, this.committedEvents), DISPATCH_STORE_METHODS);
    expose(this, new MongoActionStore(this.ctx, this.committedEvents), ACTION_STORE_METHODS);
    expose(this, new MongoVersionedState(this.ctx, this.committedEvents), TARGET_STATE_METHODS);
    expose(this, new MongoLeaseStore(this.ctx), LEASE_STORE_METHODS);
    expose(this, new MongoAlertStore(this.ctx, this.committedEvents), ALERT_STORE_METHODS);
    this.rulesHistory = new MongoRulesHistoryStore(() => this.conn);
    this.console = new MongoConsoleStore(() => this.conn);
    this.idempotency = new MongoIdempotencyStore(() => this.conn);
    this.silences = new MongoSilenceStore(() => this.conn, this.committedEvents);
    this.incidents = new MongoIncidentStore(() => this.conn, this.committedEvents);
  }

  async init(): Promise<void> {
    const conn = await openConnection(this.options);
    try {
      const models = createModels(conn);
      for (const model of Object.values(models)) {
        await model.createCollection().catch((err: { code?: number }) => {
          if (err.code !== 48) throw err; // 48: the collection exists already
        });
        await model.createIndexes();
      }
      this.ctx.open(conn, models);
      await this.notifications.init();
      await this.rulesHistory.init();
      await this.console.init();
      await this.idempotency.init();
      await this.silences.init();
      await this.incidents.init();
    } catch (err) {
      this.ctx.detach();
      await conn.close(true).catch(() => undefined);
      throw new Error(`MongoDB store setup failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  async close(): Promise<void> {
    await this.ctx.detach()?.close();
  }

  private get conn() {
    return this.ctx.conn;
  }

  async ping(): Promise<boolean> {
    const conn = this.ctx.openConnection;
    if (!conn || conn.readyState !== 1 || !conn.db) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.pingTimeoutMs ?? 2000);
    });
    try {
      return await Promise.race([conn.db.command({ ping: 1 }).then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
