import type { Page } from '../domain/action';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import type { NotificationEvent } from '../domain/events';
import type { Incident, IncidentDecision, IncidentQuery, IncidentResolution } from '../domain/incident';

export type OpenedIncident = { incident: Incident; opened: boolean };

/**
 * Incidents and the decisions they grouped (both adapters). At most one incident is open per group
 * key, also with several instances opening at once: finding the open one or opening a new one is one
 * atomic step (SQLite: a partial unique index in one transaction; MongoDB: a claim document whose
 * `_id` is the key).
 */
export interface IncidentStore {
  /** The open incident of `candidate.groupKey`, or `candidate` stored as it (`opened: true`). */
  openIncident(candidate: Incident): Promise<OpenedIncident>;
  getIncident(id: string): Promise<Incident | null>;
  /** The open incident of a group key, or null. */
  openIncidentOf(groupKey: string): Promise<Incident | null>;
  /** Open ones first, then resolved; newest opened first within each. */
  listIncidents(query: IncidentQuery): Promise<Page<Incident>>;
  /** Open incidents, oldest first (the sweep's work). */
  listOpenIncidents(limit: number): Promise<Incident[]>;
  addDecisions(decisions: IncidentDecision[]): Promise<void>;
  /** Oldest first, or the newest `limit` newest first. */
  listDecisions(incidentId: string, limit: number, order?: 'oldest' | 'newest'): Promise<IncidentDecision[]>;
  /** The rules it holds decisions about, however many decisions it holds. */
  decisionRules(incidentId: string): Promise<string[]>;
  /** Moves its `lastDecisionAt` forward to `at` (never back; nothing when it is later already). */
  noteDecisionAt(incidentId: string, at: Date): Promise<void>;
  /** Resolves it if still open, freeing its group key; null when it was not open (another resolved it). */
  resolveIncident(id: string, at: Date, resolution: IncidentResolution): Promise<Incident | null>;
  /**
   * Records that an incident's change was told, committing `event` with the record: true for the
   * first caller only, on every instance (one notification per incident and change).
   */
  recordNotice(incidentId: string, change: string, event: NotificationEvent): Promise<boolean>;
  /** The changes told so far. */
  notices(incidentId: string): Promise<string[]>;
}

/** Cursor of the incidents list: open first, then by openedAt and id, newest first. */
export interface IncidentCursor {
  open: boolean;
  at: number;
  id: string;
}

/** The project's cursor (domain/cursor) with the state folded into the id: `o:<id>` or `r:<id>`. */
export function encodeIncidentCursor(c: IncidentCursor): string {
  return encodeCursor({ at: c.at, id: `${c.open ? 'o' : 'r'}:${c.id}` });
}

export function decodeIncidentCursor(cursor: string): IncidentCursor | null {
  const position = decodeCursor(cursor);
  const m = position ? /^([or]):(.+)$/.exec(position.id) : null;
  return position && m ? { open: m[1] === 'o', at: position.at, id: m[2]! } : null;
}

/** A page of incidents fetched with `limit + 1` in list order. */
export function incidentPage(fetched: Incident[], limit: number): Page<Incident> {
  const items = fetched.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: fetched.length > limit && last ? encodeIncidentCursor({ open: last.state === 'open', at: last.openedAt.getTime(), id: last.id }) : null };
}
