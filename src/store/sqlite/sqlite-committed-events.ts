import type Database from 'better-sqlite3';
import type { NotificationEvent } from '../../domain/events';
import { type CommittedEvent, type CommittedEventStore, parseEvent, serializeEvent } from '../committed-events';

const COMMITTED_EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS committed_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL
);
`;

/**
 * The SQLite side: one row per event, inserted by the store inside the transaction of the change
 * that caused it (`insertWithin`), deleted once the relay has put it in the outbox.
 */
export class SqliteCommittedEvents implements CommittedEventStore {
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly conn: () => Database.Database) {}

  init(): void {
    this.conn().exec(COMMITTED_EVENTS_SCHEMA);
  }

  /** Called inside the caller's transaction: the events commit or roll back with the change. */
  insertWithin(events: NotificationEvent[]): void {
    if (events.length === 0) return;
    const insert = this.conn().prepare('INSERT INTO committed_events (id, doc) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
    for (const event of events) insert.run(event.id, serializeEvent(event));
  }

  /** After the transaction committed. */
  committed(events: NotificationEvent[] | undefined): void {
    if (!events || events.length === 0) return;
    for (const listener of this.listeners) listener();
  }

  async pending(limit: number): Promise<CommittedEvent[]> {
    const rows = this.conn().prepare('SELECT seq, doc FROM committed_events ORDER BY seq LIMIT ?').all(limit) as {
      seq: number;
      doc: string;
    }[];
    return rows.map((r) => ({ event: parseEvent(r.doc), carrier: `seq:${r.seq}` }));
  }

  async markRelayed(events: CommittedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ids = events.map((e) => e.event.id);
    this.conn()
      .prepare(`DELETE FROM committed_events WHERE id IN (${ids.map(() => '?').join(',')})`)
      .run(...ids);
  }

  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }
}
