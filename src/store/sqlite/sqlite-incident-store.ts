import type Database from 'better-sqlite3';
import type { Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { Incident, IncidentDecision, IncidentQuery, IncidentResolution } from '../../domain/incident';
import { decodeIncidentCursor, incidentPage, type IncidentStore, type OpenedIncident } from '../incident-store';
import type { SqliteContext } from './sqlite-context';

type Row = Record<string, unknown>;

/** At most one open incident per group key: the partial unique index is the guard. */
const INCIDENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  group_key TEXT NOT NULL,
  state TEXT NOT NULL,
  source TEXT,
  opened_at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_group ON incidents (group_key) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS incidents_list ON incidents (state, opened_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS incident_decisions (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_decisions_of ON incident_decisions (incident_id, at, id);
CREATE TABLE IF NOT EXISTS incident_notices (
  incident_id TEXT NOT NULL,
  change TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (incident_id, change)
);
`;

function incidentFromDoc(doc: string): Incident {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  const incident: Incident = { ...(raw as unknown as Incident), openedAt: new Date(raw.openedAt as string), createdAt: new Date(raw.createdAt as string), resolvedAt: raw.resolvedAt ? new Date(raw.resolvedAt as string) : null };
  if (typeof raw.lastDecisionAt === 'string') incident.lastDecisionAt = new Date(raw.lastDecisionAt);
  return incident;
}

function decisionFromDoc(doc: string): IncidentDecision {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  return { ...(raw as unknown as IncidentDecision), at: new Date(raw.at as string) };
}

/** The SQLite side of incidents; shares the main store's connection and commits notices' events with them. */
export class SqliteIncidentStore implements IncidentStore {
  /** openIncident's transaction, made once per connection: every snapshot that acts or is held back runs it. */
  private opening: { db: Database.Database; run: (candidate: Incident) => OpenedIncident } | null = null;

  constructor(private readonly ctx: SqliteContext) {}

  private conn(): Database.Database {
    return this.ctx.conn;
  }

  private get events() {
    return this.ctx.committedEvents;
  }

  init(): void {
    this.conn().exec(INCIDENTS_SCHEMA);
  }

  async openIncident(candidate: Incident): Promise<OpenedIncident> {
    // The open one, when there is one, needs no write lock: found inside a transaction it could be
    // resolved the moment that commits just the same. Only opening one takes the lock.
    const found = this.openOf(candidate.groupKey);
    if (found) return { incident: found, opened: false };
    const db = this.conn();
    if (this.opening?.db !== db) {
      const open = db.transaction((c: Incident): OpenedIncident => {
        const raced = this.openOf(c.groupKey);
        if (raced) return { incident: raced, opened: false };
        this.ctx
          .stmt('INSERT INTO incidents (id, group_key, state, source, opened_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
          .run(c.id, c.groupKey, 'open', c.labels.source ?? null, c.openedAt.getTime(), JSON.stringify(c));
        return { incident: c, opened: true };
      });
      this.opening = { db, run: (c) => open.immediate(c) };
    }
    return this.opening.run(candidate);
  }

  async openIncidentOf(groupKey: string): Promise<Incident | null> {
    return this.openOf(groupKey);
  }

  private openOf(groupKey: string): Incident | null {
    const row = this.ctx.stmt("SELECT doc FROM incidents WHERE group_key = ? AND state = 'open'").get(groupKey) as Row | undefined;
    return row ? incidentFromDoc(row.doc as string) : null;
  }

  async getIncident(id: string): Promise<Incident | null> {
    const row = this.conn().prepare('SELECT doc FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return row ? incidentFromDoc(row.doc as string) : null;
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit + 1 };
    if (query.state) {
      where.push('state = @state');
      params.state = query.state;
    }
    if (query.source !== undefined) {
      where.push('source = @source');
      params.source = query.source;
    }
    if (query.since) {
      where.push('opened_at >= @since');
      params.since = query.since.getTime();
    }
    const after = query.cursor ? decodeIncidentCursor(query.cursor) : null;
    if (after) {
      const older = '(opened_at < @at OR (opened_at = @at AND id < @id))';
      where.push(after.open ? `(state <> 'open' OR ${older})` : `(state <> 'open' AND ${older})`);
      Object.assign(params, { at: after.at, id: after.id });
    }
    const rows = this.conn()
      .prepare(`SELECT doc FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY state = 'open' DESC, opened_at DESC, id DESC LIMIT @limit`)
      .all(params) as Row[];
    return incidentPage(rows.map((r) => incidentFromDoc(r.doc as string)), query.limit);
  }

  async listOpenIncidents(limit: number): Promise<Incident[]> {
    const rows = this.conn().prepare("SELECT doc FROM incidents WHERE state = 'open' ORDER BY opened_at, id LIMIT ?").all(limit) as Row[];
    return rows.map((r) => incidentFromDoc(r.doc as string));
  }

  async addDecisions(decisions: IncidentDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const db = this.conn();
    const insert = this.ctx.stmt('INSERT INTO incident_decisions (id, incident_id, at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    db.transaction(() => {
      for (const d of decisions) insert.run(d.id, d.incidentId, d.at.getTime(), JSON.stringify(d));
    })();
  }

  async listDecisions(incidentId: string, limit: number, order: 'oldest' | 'newest' = 'oldest'): Promise<IncidentDecision[]> {
    const by = order === 'newest' ? 'at DESC, id DESC' : 'at, id';
    const rows = this.conn().prepare(`SELECT doc FROM incident_decisions WHERE incident_id = ? ORDER BY ${by} LIMIT ?`).all(incidentId, limit) as Row[];
    return rows.map((r) => decisionFromDoc(r.doc as string));
  }

  async decisionRules(incidentId: string): Promise<string[]> {
    const rows = this.conn().prepare("SELECT DISTINCT json_extract(doc, '$.rule') AS rule FROM incident_decisions WHERE incident_id = ?").all(incidentId) as Row[];
    return rows.map((r) => r.rule as string);
  }

  async noteDecisionAt(incidentId: string, at: Date): Promise<void> {
    // One statement, so it never races resolveIncident's rewrite of the document. ISO instants of
    // one format order as strings, and a row stored before the field existed has none (NULL < any).
    const iso = at.toISOString();
    this.ctx
      .stmt("UPDATE incidents SET doc = json_set(doc, '$.lastDecisionAt', @iso) WHERE id = @id AND coalesce(json_extract(doc, '$.lastDecisionAt'), '') < @iso")
      .run({ id: incidentId, iso });
  }

  async resolveIncident(id: string, at: Date, resolution: IncidentResolution): Promise<Incident | null> {
    const db = this.conn();
    return db
      .transaction((): Incident | null => {
        const row = db.prepare("SELECT doc FROM incidents WHERE id = ? AND state = 'open'").get(id) as Row | undefined;
        if (!row) return null;
        const resolved: Incident = { ...incidentFromDoc(row.doc as string), state: 'resolved', resolvedAt: at, resolution };
        db.prepare("UPDATE incidents SET state = 'resolved', doc = ? WHERE id = ?").run(JSON.stringify(resolved), id);
        return resolved;
      })
      .immediate();
  }

  async recordNotice(incidentId: string, change: string, event: NotificationEvent): Promise<boolean> {
    const db = this.conn();
    const recorded = db
      .transaction((): boolean => {
        const inserted = db.prepare('INSERT INTO incident_notices (incident_id, change, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(incidentId, change, Date.parse(event.occurredAt));
        if (inserted.changes === 0) return false;
        this.events.insertWithin([event]);
        return true;
      })
      .immediate();
    if (recorded) this.events.committed([event]);
    return recorded;
  }

  async notices(incidentId: string): Promise<string[]> {
    const rows = this.conn().prepare('SELECT change FROM incident_notices WHERE incident_id = ? ORDER BY at, change').all(incidentId) as Row[];
    return rows.map((r) => r.change as string);
  }
}
