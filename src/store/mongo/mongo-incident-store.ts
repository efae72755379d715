import type { Connection, mongo } from 'mongoose';
import type { Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { Incident, IncidentDecision, IncidentQuery, IncidentResolution } from '../../domain/incident';
import { decodeIncidentCursor, incidentPage, type IncidentStore, type OpenedIncident } from '../incident-store';
import { isDuplicateKeyError } from './connection';
import { ensureCollections, openDb } from './mongo-collections';
import { eventFields, HAS_EVENTS, type MongoCommittedEvents } from './mongo-committed-events';

type Doc = { _id: string; [field: string]: any };

const INCIDENTS = 'incidents';
/** One document per open group key, `_id` the key: the insert only one opener can win. */
const OPEN_GROUPS = 'incident_open_groups';
const DECISIONS = 'incident_decisions';
/**
 * One document per incident, `_id` its id: when it was last decided on. Apart from the incident's own
 * document because FerretDB may lose one of two concurrent updates of one document: a `$max` lost
 * here holds the time back by one note (a few seconds, the next note moves it on), where one racing
 * the resolution on the incident's document could undo `state: 'resolved'`.
 */
const ACTIVITY = 'incident_activity';
/** One document per told change, `_id` `<incident>|<change>`, carrying the notice's event. */
export const INCIDENT_NOTICES = 'incident_notices';

/** How long an opener that lost the race waits for the winner's incident document to appear. */
const WINNER_WAIT_MS = 2000;

function incidentFromDoc(d: Doc, activity?: Doc): Incident {
  const incident: Incident = {
    id: d._id,
    groupKey: d.groupKey,
    labels: d.labels,
    state: d.state,
    openedAt: d.openedAt,
    createdAt: d.openedAt,
    resolvedAt: d.resolvedAt ?? null,
    resolution: d.resolution ?? null,
  };
  const last = [d.lastDecisionAt as Date | undefined, activity?.lastDecisionAt as Date | undefined].filter((t): t is Date => t instanceof Date);
  if (last.length > 0) incident.lastDecisionAt = new Date(Math.max(...last.map((t) => t.getTime())));
  return incident;
}

function decisionFromDoc(d: Doc): IncidentDecision {
  const { _id, ...rest } = d;
  return { id: _id, ...(rest as Omit<IncidentDecision, 'id'>) };
}

/**
 * The MongoDB side of incidents; shares the main store's connection. FerretDB has no transactions
 * and may lose one of two updates of one document, so every atomic step is an insert with a unique
 * `_id`: the open group's claim (opening), its delete (resolving), a notice per change.
 */
export class MongoIncidentStore implements IncidentStore {
  constructor(
    private readonly conn: () => Connection,
    private readonly events: MongoCommittedEvents,
  ) {}

  private col(name: string): mongo.Collection<Doc> {
    return openDb(this.conn).collection<Doc>(name);
  }

  async init(): Promise<void> {
    await ensureCollections(openDb(this.conn), [INCIDENTS, OPEN_GROUPS, DECISIONS, ACTIVITY, INCIDENT_NOTICES]);
    await this.col(INCIDENTS).createIndex({ state: 1, openedAt: -1, _id: -1 });
    await this.col(INCIDENTS).createIndex({ 'labels.source': 1, openedAt: -1 });
    await this.col(DECISIONS).createIndex({ incidentId: 1, at: 1, _id: 1 });
    await this.col(INCIDENT_NOTICES).createIndex({ [HAS_EVENTS]: 1 });
  }

  async openIncident(candidate: Incident): Promise<OpenedIncident> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await this.col(OPEN_GROUPS).insertOne({ _id: candidate.groupKey, incidentId: candidate.id });
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const winner = await this.claimedIncident(candidate.groupKey);
        if (winner) return { incident: winner, opened: false };
        continue; // the claim was of a resolved incident and is gone now: try again
      }
      const { id, createdAt: _createdAt, ...rest } = candidate;
      await this.col(INCIDENTS).insertOne({ _id: id, ...rest });
      return { incident: candidate, opened: true };
    }
    throw new Error(`could not open or find the incident of ${candidate.groupKey}`);
  }

  /** The open incident a group's claim names; a claim left by a resolved incident is removed (null). */
  private async claimedIncident(groupKey: string): Promise<Incident | null> {
    const deadline = Date.now() + WINNER_WAIT_MS;
    for (;;) {
      const claim = await this.col(OPEN_GROUPS).findOne({ _id: groupKey });
      if (!claim) return null;
      // Without its activity: the ingest path opens or finds one per snapshot and needs only its id.
      const doc = await this.col(INCIDENTS).findOne({ _id: claim.incidentId as string });
      const incident = doc ? incidentFromDoc(doc) : null;
      if (incident?.state === 'open') return incident;
      if (incident) {
        await this.col(OPEN_GROUPS).deleteOne({ _id: groupKey, incidentId: incident.id });
        return null;
      }
      // The winner claimed the key and has not inserted its incident yet.
      if (Date.now() > deadline) throw new Error(`the incident claimed for ${groupKey} did not appear`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  openIncidentOf(groupKey: string): Promise<Incident | null> {
    return this.claimedIncident(groupKey);
  }

  async getIncident(id: string): Promise<Incident | null> {
    const doc = await this.col(INCIDENTS).findOne({ _id: id });
    return doc ? (await this.withActivity([doc]))[0]! : null;
  }

  /** Incidents with their last decision time from the activity documents. */
  private async withActivity(docs: Doc[]): Promise<Incident[]> {
    if (docs.length === 0) return [];
    const activity = await this.col(ACTIVITY).find({ _id: { $in: docs.map((d) => d._id) } }).toArray();
    const byId = new Map(activity.map((a) => [a._id, a]));
    return docs.map((d) => incidentFromDoc(d, byId.get(d._id)));
  }

  async listIncidents(query: IncidentQuery): Promise<Page<Incident>> {
    const and: Record<string, unknown>[] = [];
    if (query.state) and.push({ state: query.state });
    if (query.source !== undefined) and.push({ 'labels.source': query.source });
    if (query.since) and.push({ openedAt: { $gte: query.since } });
    const after = query.cursor ? decodeIncidentCursor(query.cursor) : null;
    const older = after ? { $or: [{ openedAt: { $lt: new Date(after.at) } }, { openedAt: new Date(after.at), _id: { $lt: after.id } }] } : null;
    const fetch = async (state: 'open' | 'resolved', extra: Record<string, unknown>[], limit: number) =>
      limit <= 0 || (query.state && query.state !== state)
        ? []
        : await this.col(INCIDENTS).find({ $and: [...and, { state }, ...extra] }).sort({ openedAt: -1, _id: -1 }).limit(limit).toArray();
    // Open first: two sorted reads rather than a sort on a computed rank (which FerretDB would do in memory).
    const open = after && !after.open ? [] : await fetch('open', older ? [older] : [], query.limit + 1);
    const resolved = await fetch('resolved', after && !after.open && older ? [older] : [], query.limit + 1 - open.length);
    return incidentPage(await this.withActivity([...open, ...resolved]), query.limit);
  }

  async listOpenIncidents(limit: number): Promise<Incident[]> {
    return this.withActivity(await this.col(INCIDENTS).find({ state: 'open' }).sort({ openedAt: 1, _id: 1 }).limit(limit).toArray());
  }

  async addDecisions(decisions: IncidentDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    try {
      await this.col(DECISIONS).insertMany(
        decisions.map(({ id, ...rest }) => ({ _id: id, ...rest })),
        { ordered: false },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // a retry of decisions recorded already
    }
  }

  async listDecisions(incidentId: string, limit: number, order: 'oldest' | 'newest' = 'oldest'): Promise<IncidentDecision[]> {
    const by = order === 'newest' ? -1 : 1;
    return (await this.col(DECISIONS).find({ incidentId }).sort({ at: by, _id: by }).limit(limit).toArray()).map(decisionFromDoc);
  }

  async decisionRules(incidentId: string): Promise<string[]> {
    return (await this.col(DECISIONS).distinct('rule', { incidentId })) as string[];
  }

  async noteDecisionAt(incidentId: string, at: Date): Promise<void> {
    const note = () => this.col(ACTIVITY).updateOne({ _id: incidentId }, { $max: { lastDecisionAt: at } }, { upsert: true });
    try {
      await note();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await note(); // two first notes raced to insert it: it exists now
    }
  }

  async resolveIncident(id: string, at: Date, resolution: IncidentResolution): Promise<Incident | null> {
    const incident = await this.getIncident(id);
    if (!incident || incident.state !== 'open') return null;
    // Deleting the group's claim is the step only one resolver wins; then the incident shows it.
    const freed = await this.col(OPEN_GROUPS).deleteOne({ _id: incident.groupKey, incidentId: id });
    if (freed.deletedCount !== 1) return null;
    const resolved: Incident = { ...incident, state: 'resolved', resolvedAt: at, resolution };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await this.col(INCIDENTS).updateOne({ _id: id }, { $set: { state: 'resolved', resolvedAt: at, resolution } });
      if ((await this.getIncident(id))?.state === 'resolved') break;
    }
    return resolved;
  }

  async recordNotice(incidentId: string, change: string, event: NotificationEvent): Promise<boolean> {
    try {
      await this.col(INCIDENT_NOTICES).insertOne({ _id: `${incidentId}|${change}`, incidentId, change, at: new Date(event.occurredAt), ...eventFields([], [event]) });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    this.events.committed([event]);
    return true;
  }

  async notices(incidentId: string): Promise<string[]> {
    const docs = await this.col(INCIDENT_NOTICES).find({ incidentId }, { projection: { change: 1 } }).sort({ at: 1, _id: 1 }).toArray();
    return docs.map((d) => d.change as string);
  }
}
