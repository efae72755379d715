import type Database from 'better-sqlite3';
import type { JournalEvent, NewJournalEvent } from '../../domain/console';
import type { EventJournalStore } from '../event-journal-store';

type Row = Record<string, unknown>;

// AUTOINCREMENT: a number is never handed out twice, even after the newest rows are pruned.
const EVENT_JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS console_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS console_events_occurred ON console_events (occurred_at);
CREATE INDEX IF NOT EXISTS console_events_event_id ON console_events (id);
`;

function eventOf(row: Row): JournalEvent {
  return {
    seq: row.seq as number,
    id: row.id as string,
    type: row.type as string,
    occurredAt: new Date(row.occurred_at as number),
    payload: row.payload as string,
  };
}

/**
 * The SQLite event journal; shares the main store's connection. SQLite has one writer at a time, so
 * an event's number is assigned and committed before the next writer can take one: a reader that
 * has seen number n has seen every number below it.
 */
export class SqliteEventJournalStore implements EventJournalStore {
  constructor(private readonly conn: () => Database.Database) {}

  init(): void {
    this.conn().exec(EVENT_JOURNAL_SCHEMA);
  }

  async appendEvent(event: NewJournalEvent): Promise<number> {
    const db = this.conn();
    return db
      .transaction((): number => {
        const seen = db.prepare('SELECT seq FROM console_events WHERE id = ?').get(event.id) as Row | undefined;
        if (seen) return seen.seq as number;
        const info = db
          .prepare('INSERT INTO console_events (id, type, occurred_at, payload) VALUES (?, ?, ?, ?)')
          .run(event.id, event.type, event.occurredAt.getTime(), event.payload);
        return Number(info.lastInsertRowid);
      })
      .immediate();
  }

  async eventsAfter(seq: number, limit: number): Promise<JournalEvent[]> {
    const rows = this.conn().prepare('SELECT * FROM console_events WHERE seq > ? ORDER BY seq ASC LIMIT ?').all(seq, limit) as Row[];
    return rows.map(eventOf);
  }

  async lastEventSeq(): Promise<number> {
    // sqlite_sequence remembers the last number even when that row was pruned.
    const row = this.conn().prepare("SELECT seq FROM sqlite_sequence WHERE name = 'console_events'").get() as Row | undefined;
    return (row?.seq as number | undefined) ?? 0;
  }

  async pruneEvents(before: Date): Promise<number> {
    const info = this.conn()
      .prepare('DELETE FROM console_events WHERE occurred_at < ? AND seq < (SELECT MAX(seq) FROM console_events)')
      .run(before.getTime());
    return info.changes;
  }
}
