import type Database from 'better-sqlite3';
import type { Page } from '../../domain/action';
import type { DeliveryStatus, OutboxAttempt, OutboxEntry, OutboxQuery } from '../../domain/notification';
import type { EventType } from '../../domain/events';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { NotificationStore } from '../notification-store';

type Row = Record<string, unknown>;

const NOTIFICATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS notification_outbox (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  destination TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  locked_by TEXT,
  locked_until INTEGER,
  last_error TEXT,
  last_status_code INTEGER,
  delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS notification_outbox_due ON notification_outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS notification_outbox_created ON notification_outbox (created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS inbound_requests (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbound_requests_expiry ON inbound_requests (expires_at);
`;

function ms(d: Date | null): number | null {
  return d ? d.getTime() : null;
}

function date(v: unknown): Date | null {
  return v === null || v === undefined ? null : new Date(v as number);
}

function fromRow(row: Row): OutboxEntry {
  return {
    id: row.id as string,
    eventId: row.event_id as string,
    eventType: row.event_type as EventType,
    destination: row.destination as string,
    url: row.url as string,
    payload: row.payload as string,
    status: row.status as DeliveryStatus,
    attempts: row.attempts as number,
    createdAt: new Date(row.created_at as number),
    updatedAt: new Date(row.updated_at as number),
    nextAttemptAt: new Date(row.next_attempt_at as number),
    lockedBy: (row.locked_by as string | null) ?? null,
    lockedUntil: date(row.locked_until),
    lastError: (row.last_error as string | null) ?? null,
    lastStatusCode: (row.last_status_code as number | null) ?? null,
    deliveredAt: date(row.delivered_at),
    orderKey: (row.order_key as string | null | undefined) ?? null,
  };
}

/** The SQLite side of the notification store; shares the main store's connection. */
export class SqliteNotificationStore implements NotificationStore {
  constructor(private readonly conn: () => Database.Database) {}

  /** Creates its tables; called by SqliteStore.init once the connection is open. */
  init(): void {
    const db = this.conn();
    db.exec(NOTIFICATION_SCHEMA);
    // Files written before order keys existed get the column (NULL: no order to keep for old rows).
    const columns = db.prepare('PRAGMA table_info(notification_outbox)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'order_key')) db.exec('ALTER TABLE notification_outbox ADD COLUMN order_key TEXT');
    db.exec('CREATE INDEX IF NOT EXISTS notification_outbox_order ON notification_outbox (order_key, destination, status)');
  }

  async firstPendingInOrder(destination: string, orderKey: string): Promise<OutboxEntry | null> {
    const row = this.conn()
      .prepare(
        `SELECT * FROM notification_outbox WHERE order_key = ? AND destination = ? AND status = 'pending'
         ORDER BY created_at, id LIMIT 1`,
      )
      .get(orderKey, destination) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async enqueueOutbox(entries: OutboxEntry[]): Promise<number> {
    const db = this.conn();
    const insert = db.prepare(
      `INSERT INTO notification_outbox (id, event_id, event_type, destination, url, payload, status, attempts,
         created_at, updated_at, next_attempt_at, locked_by, locked_until, last_error, last_status_code, delivered_at, order_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    );
    let added = 0;
    db.transaction(() => {
      for (const e of entries) {
        added += insert.run(
          e.id,
          e.eventId,
          e.eventType,
          e.destination,
          e.url,
          e.payload,
          e.status,
          e.attempts,
          e.createdAt.getTime(),
          e.updatedAt.getTime(),
          e.nextAttemptAt.getTime(),
          e.lockedBy,
          ms(e.lockedUntil),
          e.lastError,
          e.lastStatusCode,
          ms(e.deliveredAt),
          e.orderKey ?? null,
        ).changes;
      }
    })();
    return added;
  }

  async claimDueOutbox(now: Date, owner: string, lockedUntil: Date, limit: number): Promise<OutboxEntry[]> {
    // One UPDATE ... RETURNING is one write transaction: another process on the same file waits for
    // it and then no longer sees these rows as claimable.
    const rows = this.conn()
      .prepare(
        `UPDATE notification_outbox SET locked_by = ?, locked_until = ?
         WHERE id IN (
           SELECT id FROM notification_outbox
           WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
           ORDER BY next_attempt_at, created_at, id LIMIT ?)
         RETURNING *`,
      )
      .all(owner, lockedUntil.getTime(), now.getTime(), now.getTime(), limit) as Row[];
    return rows.map(fromRow).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  async recordOutboxAttempt(id: string, owner: string, a: OutboxAttempt): Promise<boolean> {
    const info = this.conn()
      .prepare(
        `UPDATE notification_outbox
         SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, last_status_code = ?, delivered_at = ?,
             updated_at = ?, locked_by = NULL, locked_until = NULL
         WHERE id = ? AND locked_by = ? AND status = 'pending'`,
      )
      .run(
        a.status,
        a.attempts,
        a.nextAttemptAt.getTime(),
        a.lastError,
        a.lastStatusCode,
        ms(a.deliveredAt),
        a.at.getTime(),
        id,
        owner,
      );
    return info.changes === 1;
  }

  async releaseOutboxClaim(id: string, owner: string, nextAttemptAt: Date, note: string | null, at: Date): Promise<boolean> {
    const info = this.conn()
      .prepare(
        `UPDATE notification_outbox
         SET next_attempt_at = ?, last_error = COALESCE(?, last_error), updated_at = ?, locked_by = NULL, locked_until = NULL
         WHERE id = ? AND locked_by = ? AND status = 'pending'`,
      )
      .run(nextAttemptAt.getTime(), note, at.getTime(), id, owner);
    return info.changes === 1;
  }

  async getOutboxEntry(id: string): Promise<OutboxEntry | null> {
    const row = this.conn().prepare('SELECT * FROM notification_outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async countOutbox(status: DeliveryStatus): Promise<number> {
    const row = this.conn().prepare('SELECT COUNT(*) AS n FROM notification_outbox WHERE status = ?').get(status) as { n: number };
    return row.n;
  }

  async listOutbox(query: OutboxQuery): Promise<Page<OutboxEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status && query.status.length > 0) {
      where.push(`status IN (${query.status.map(() => '?').join(',')})`);
      params.push(...query.status);
    }
    if (query.eventType) {
      where.push('event_type = ?');
      params.push(query.eventType);
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(cursor.at, cursor.at, cursor.id);
    }
    const sql = `SELECT * FROM notification_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.conn().prepare(sql).all(...params, query.limit + 1) as Row[];
    return toPage(rows.map(fromRow), query.limit);
  }

  async pruneOutbox(before: Date): Promise<number> {
    return this.conn()
      .prepare(`DELETE FROM notification_outbox WHERE status IN ('delivered', 'failed') AND updated_at < ?`)
      .run(before.getTime()).changes;
  }

  async rememberInboundRequest(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    // Inserted, or taken over from an expired record the sweep has not removed yet: both are "new".
    const info = this.conn()
      .prepare(
        `INSERT INTO inbound_requests (key, expires_at) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE inbound_requests.expires_at <= ?`,
      )
      .run(key, expiresAt.getTime(), now.getTime());
    return info.changes === 1;
  }

  async pruneInboundRequests(now: Date): Promise<number> {
    return this.conn().prepare('DELETE FROM inbound_requests WHERE expires_at <= ?').run(now.getTime()).changes;
  }
}
