import type Database from 'better-sqlite3';
import type { Page } from '../../domain/action';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { NotificationEvent } from '../../domain/events';
import type { Silence } from '../../silences/silence';
import type { SilenceExpiry, SilenceQuery, SilenceStore } from '../silence-store';
import type { SqliteCommittedEvents } from './sqlite-committed-events';

type Row = Record<string, unknown>;

const SILENCES_SCHEMA = `
CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  expired_at INTEGER,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS silences_ends_at ON silences (ends_at);
CREATE INDEX IF NOT EXISTS silences_created ON silences (created_at DESC, id DESC);
`;

const DATES = ['startsAt', 'endsAt', 'createdAt', 'expiredAt'] as const;

function fromDoc(doc: string): Silence {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  for (const key of DATES) raw[key] = typeof raw[key] === 'string' ? new Date(raw[key] as string) : null;
  return raw as unknown as Silence;
}

/** Ended or expired at `now` (the state filter's words, as SQL over the columns). */
const EXPIRED_SQL = '((expired_at IS NOT NULL AND expired_at <= @now) OR ends_at <= @now)';
const STATE_SQL = {
  expired: EXPIRED_SQL,
  active: `NOT ${EXPIRED_SQL} AND starts_at <= @now`,
  pending: `NOT ${EXPIRED_SQL} AND starts_at > @now`,
} as const;

/** The SQLite side of silences; shares the main store's connection and commits events with its changes. */
export class SqliteSilenceStore implements SilenceStore {
  /** The decide path's query, prepared once per connection: it runs for every snapshot with a rule that could act. */
  private overlapping: { db: Database.Database; stmt: Database.Statement } | null = null;

  constructor(
    private readonly conn: () => Database.Database,
    private readonly events: SqliteCommittedEvents,
  ) {}

  init(): void {
    this.conn().exec(SILENCES_SCHEMA);
  }

  async insertSilence(silence: Silence, events: NotificationEvent[] = []): Promise<void> {
    this.conn()
      .transaction(() => {
        this.conn()
          .prepare('INSERT INTO silences (id, created_at, starts_at, ends_at, expired_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
          .run(silence.id, silence.createdAt.getTime(), silence.startsAt.getTime(), silence.endsAt.getTime(), silence.expiredAt?.getTime() ?? null, JSON.stringify(silence));
        this.events.insertWithin(events);
      })
      .immediate();
    this.events.committed(events);
  }

  async getSilence(id: string): Promise<Silence | null> {
    const row = this.conn().prepare('SELECT doc FROM silences WHERE id = ?').get(id) as Row | undefined;
    return row ? fromDoc(row.doc as string) : null;
  }

  async listSilences(query: SilenceQuery): Promise<Page<Silence>> {
    const where: string[] = [];
    const params: Record<string, unknown> = { now: query.now.getTime(), limit: query.limit + 1 };
    if (query.state) where.push(STATE_SQL[query.state]);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) {
      where.push('(created_at < @at OR (created_at = @at AND id < @id))');
      Object.assign(params, after);
    }
    const rows = this.conn()
      .prepare(`SELECT doc FROM silences ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT @limit`)
      .all(params) as Row[];
    return toPage(rows.map((r) => fromDoc(r.doc as string)), query.limit);
  }

  async expireSilence(id: string, by: string, at: Date, eventsFor?: (expired: Silence) => NotificationEvent[]): Promise<SilenceExpiry> {
    let events: NotificationEvent[] = [];
    const outcome = this.conn()
      .transaction((): SilenceExpiry => {
        const row = this.conn().prepare('SELECT doc FROM silences WHERE id = ?').get(id) as Row | undefined;
        if (!row) return { ok: false, reason: 'not_found' };
        const silence = fromDoc(row.doc as string);
        if (silence.expiredAt !== null || silence.endsAt.getTime() <= at.getTime()) return { ok: false, reason: 'expired', silence };
        const expired: Silence = { ...silence, expiredAt: at, expiredBy: by };
        this.conn().prepare('UPDATE silences SET expired_at = ?, doc = ? WHERE id = ?').run(at.getTime(), JSON.stringify(expired), id);
        events = eventsFor?.(expired) ?? [];
        this.events.insertWithin(events);
        return { ok: true, silence: expired };
      })
      .immediate();
    this.events.committed(events);
    return outcome;
  }

  async silencesOverlapping(from: Date, to: Date): Promise<Silence[]> {
    const db = this.conn();
    if (this.overlapping?.db !== db) {
      const stmt = db.prepare(
        'SELECT doc FROM silences WHERE ends_at > @from AND starts_at <= @to AND created_at <= @to AND (expired_at IS NULL OR expired_at > @from) ORDER BY created_at, id',
      );
      this.overlapping = { db, stmt };
    }
    const rows = this.overlapping.stmt.all({ from: from.getTime(), to: to.getTime() }) as Row[];
    return rows.map((r) => fromDoc(r.doc as string));
  }
}
