import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FaultPoints } from '../../domain/fault-points';
import { ACTION_STORE_METHODS, type ActionStore } from '../action-store';
import { ALERT_STORE_METHODS, type AlertStore } from '../alert-store';
import { expose } from '../compose';
import { DISPATCH_STORE_METHODS, type DispatchStore } from '../dispatch-store';
import { LEASE_STORE_METHODS, type LeaseStore } from '../lease-store';
import { SNAPSHOT_STORE_METHODS, type SnapshotStore } from '../snapshot-store';
import type { Store } from '../store';
import { TARGET_STATE_METHODS, type PromptStore, type TargetStateStore } from '../versioned-state-store';
import { ACTION_EXTRA_COLUMNS, ACTION_EXTRA_INDEXES, SQLITE_SCHEMA } from './schema';
import { SqliteActionStore } from './sqlite-action-store';
import { SqliteAlertStore } from './sqlite-alert-store';
import type { SqliteCommittedEvents } from './sqlite-committed-events';
import { SqliteConsoleStore } from './sqlite-console-store';
import { SqliteContext } from './sqlite-context';
import { SqliteDispatchStore } from './sqlite-dispatch-store';
import { SqliteIdempotencyStore } from './sqlite-idempotency-store';
import { SqliteIncidentStore } from './sqlite-incident-store';
import { SqliteLeaseStore } from './sqlite-lease-store';
import { SqliteNotificationStore } from './sqlite-notification-store';
import { SqliteRulesHistoryStore } from './sqlite-rules-history-store';
import { SqliteSilenceStore } from './sqlite-silence-store';
import { SqliteSnapshotStore } from './sqlite-snapshot-store';
import { SqliteVersionedState } from './sqlite-versioned-state';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a throwaway store. */
  path: string;
  busyTimeoutMs?: number;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
}

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface SqliteStore
  extends SnapshotStore,
    DispatchStore,
    ActionStore,
    TargetStateStore,
    PromptStore,
    LeaseStore,
    AlertStore {}

/**
 * The embedded store. better-sqlite3 is synchronous, so each method is one short critical section;
 * WAL and a busy timeout make it safe for several processes on one file, and every multi-step change
 * runs in an IMMEDIATE transaction (it takes the write lock before reading).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly notifications: SqliteNotificationStore;
  readonly committedEvents: SqliteCommittedEvents;
  readonly rulesHistory: SqliteRulesHistoryStore;
  readonly console: SqliteConsoleStore;
  readonly idempotency: SqliteIdempotencyStore;
  readonly silences: SqliteSilenceStore;
  readonly incidents: SqliteIncidentStore;
  private readonly ctx: SqliteContext;
  private readonly snapshots: SqliteSnapshotStore;

  constructor(private readonly options: SqliteStoreOptions) {
    this.ctx = new SqliteContext(options.faults);
    this.committedEvents = this.ctx.committedEvents;
    this.snapshots = new SqliteSnapshotStore(this.ctx);
    expose(this, this.snapshots, SNAPSHOT_STORE_METHODS);
    expose(this, new SqliteDispatchStore(this.ctx), DISPATCH_STORE_METHODS);
    expose(this, new SqliteActionStore(this.ctx), ACTION_STORE_METHODS);
    expose(this, new SqliteVersionedState(this.ctx), TARGET_STATE_METHODS);
    expose(this, new SqliteLeaseStore(this.ctx), LEASE_STORE_METHODS);
    expose(this, new SqliteAlertStore(this.ctx), ALERT_STORE_METHODS);
    this.notifications = new SqliteNotificationStore(() => this.conn);
    this.rulesHistory = new SqliteRulesHistoryStore(() => this.conn);
    this.console = new SqliteConsoleStore(() => this.conn);
    this.idempotency = new SqliteIdempotencyStore(() => this.conn);
    this.silences = new SqliteSilenceStore(() => this.conn, this.committedEvents);
    this.incidents = new SqliteIncidentStore(this.ctx);
  }

  async init(): Promise<void> {
    if (this.options.path !== ':memory:') {
      fs.mkdirSync(path.dirname(path.resolve(this.options.path)), { recursive: true });
    }
    const db = new Database(this.options.path);
    db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SQLITE_SCHEMA);
    const columns = new Set((db.pragma('table_info(actions)') as Array<{ name: string }>).map((c) => c.name));
    for (const [name, type] of ACTION_EXTRA_COLUMNS) {
      if (!columns.has(name)) db.exec(`ALTER TABLE actions ADD COLUMN ${name} ${type}`);
    }
    db.exec(ACTION_EXTRA_INDEXES);
    this.ctx.open(db);
    this.notifications.init();
    this.committedEvents.init();
    this.rulesHistory.init();
    this.console.init();
    this.idempotency.init();
    this.silences.init();
    this.incidents.init();
  }

  async close(): Promise<void> {
    this.snapshots.flush();
    this.ctx.close();
  }

  private get conn(): Database.Database {
    return this.ctx.conn;
  }

  async ping(): Promise<boolean> {
    try {
      this.ctx.stmt('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }
}
