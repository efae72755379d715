import type { Connection, mongo } from 'mongoose';
import type { NotificationEvent } from '../../domain/events';
import { type CommittedEvent, type CommittedEventStore, parseEvent, serializeEvent } from '../committed-events';

type Doc = { _id: string; [field: string]: any };

/** The fields a carrier document holds its committed events in (never part of the domain value). */
export const PENDING_EVENTS = 'pendingEvents';
export const HAS_EVENTS = 'hasEvents';

/** Collections whose documents carry committed events. */
const CARRIERS = ['actions', 'alerts', 'state', 'silences', 'silence_expiries', 'incident_notices'] as const;
type CarrierCollection = (typeof CARRIERS)[number];

/** The fields to write with a change so that `events` travel in the same document write. */
export function eventFields(existing: unknown, events: NotificationEvent[]): Record<string, unknown> {
  const kept = Array.isArray(existing) ? (existing as string[]) : [];
  const all = [...kept, ...events.map(serializeEvent)];
  return { [PENDING_EVENTS]: all, [HAS_EVENTS]: all.length > 0 };
}

/**
 * Clears relayed events from an action document. Actions are written only by the holder of a
 * revision claim (MongoActionStore.transitionAction), so clearing takes one too; false when someone else
 * changed the action meanwhile (the relay tries again on its next pass, which is harmless).
 */
export type ActionEventClearer = (actionId: string, relayedIds: Set<string>) => Promise<boolean>;

/**
 * The MongoDB side. There are no transactions on the test server, so the events travel inside the
 * document write that makes the change: an action's insert or its revision (whose claim also
 * carries them, so a half-finished revision completed by another writer brings its events along),
 * an alert's insert, a failover or throttle state revision's insert, a silence's insert or its expiry's. Carriers are found by the indexed `hasEvents` flag.
 */
export class MongoCommittedEvents implements CommittedEventStore {
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly conn: () => Connection,
    private readonly clearActionEvents: ActionEventClearer,
  ) {}

  private col(name: CarrierCollection): mongo.Collection<Doc> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    return db.collection<Doc>(name);
  }

  committed(events: NotificationEvent[] | undefined): void {
    if (!events || events.length === 0) return;
    for (const listener of this.listeners) listener();
  }

  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  async pending(limit: number): Promise<CommittedEvent[]> {
    const out: CommittedEvent[] = [];
    for (const name of CARRIERS) {
      const docs = await this.col(name)
        .find({ [HAS_EVENTS]: true }, { projection: { _id: 1, [PENDING_EVENTS]: 1 } })
        .limit(limit)
        .toArray();
      for (const doc of docs) {
        for (const text of (doc[PENDING_EVENTS] as string[] | undefined) ?? []) {
          out.push({ event: parseEvent(text), carrier: `${name}:${doc._id}` });
        }
      }
    }
    // Oldest first across carriers; within one carrier the array order (which is the order of its changes).
    return out
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.event.occurredAt.localeCompare(b.e.event.occurredAt) || a.i - b.i)
      .map(({ e }) => e);
  }

  async markRelayed(events: CommittedEvent[]): Promise<void> {
    const byCarrier = new Map<string, Set<string>>();
    for (const e of events) byCarrier.set(e.carrier, (byCarrier.get(e.carrier) ?? new Set()).add(e.event.id));
    for (const [carrier, ids] of byCarrier) {
      const at = carrier.indexOf(':');
      const name = carrier.slice(0, at) as CarrierCollection;
      const id = carrier.slice(at + 1);
      if (name === 'actions') {
        await this.clearActionEvents(id, ids);
        continue;
      }
      await this.clearInsertedEvents(name, id, ids);
    }
  }

  /**
   * Alerts and state revisions get events only with their insert, so clearing cannot drop a newer
   * one. On FerretDB two updates of one document can lose one of them (an acknowledgement written
   * at the same moment can bring the cleared events back), so the clearing is checked and written
   * again if lost — as the acknowledgement does on its side.
   */
  private async clearInsertedEvents(name: Exclude<CarrierCollection, 'actions'>, id: string, ids: Set<string>): Promise<void> {
    const relayedIn = (doc: Doc) => ((doc[PENDING_EVENTS] as string[] | undefined) ?? []).filter((t) => ids.has(parseEvent(t).id));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const doc = await this.col(name).findOne({ _id: id }, { projection: { [PENDING_EVENTS]: 1 } });
      if (!doc || relayedIn(doc).length === 0) return;
      const rest = ((doc[PENDING_EVENTS] as string[] | undefined) ?? []).filter((t) => !ids.has(parseEvent(t).id));
      await this.col(name).updateOne({ _id: id }, { $set: { [PENDING_EVENTS]: rest, [HAS_EVENTS]: rest.length > 0 } });
    }
  }
}
