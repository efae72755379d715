import type { Connection, mongo } from 'mongoose';
import type { JournalEvent, NewJournalEvent } from '../../domain/console';
import type { EventJournalStore } from '../event-journal-store';
import { isDuplicateKeyError } from './connection';
import { ensureCollections, openDb } from './mongo-collections';

type EventDoc = { _id: number; eventId: string; type: string; occurredAt: Date; payload: string };

const EVENTS = 'console_events';
/** Gives up after this many lost races for one number (only under absurd write contention). */
const MAX_APPEND_TRIES = 200;

/**
 * The MongoDB event journal. An event's number is its `_id`: appending reads the newest number and
 * inserts the next one; a duplicate key means another instance took it, so try the one after. An
 * insert is exclusive on FerretDB and MongoDB alike, and number n + 1 is only tried once n is in the
 * collection, so a reader that has seen n has seen every number below it.
 */
export class MongoEventJournalStore implements EventJournalStore {
  constructor(private readonly conn: () => Connection) {}

  private events(): mongo.Collection<EventDoc> {
    return openDb(this.conn).collection<EventDoc>(EVENTS);
  }

  async init(): Promise<void> {
    await ensureCollections(openDb(this.conn), [EVENTS]);
    await this.events().createIndex({ occurredAt: 1 });
    await this.events().createIndex({ eventId: 1 });
  }

  async appendEvent(event: NewJournalEvent): Promise<number> {
    // Checked, not enforced: two instances relaying one event at the same moment may both append it
    // (no conditional insert is exclusive on FerretDB but the `_id`, which is the number here);
    // stream clients drop an event id they have seen, as webhook receivers do.
    const seen = await this.events().findOne({ eventId: event.id }, { projection: { _id: 1 } });
    if (seen) return seen._id;
    for (let i = 0; i < MAX_APPEND_TRIES; i += 1) {
      const seq = (await this.lastEventSeq()) + 1;
      try {
        await this.events().insertOne({ _id: seq, eventId: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload });
        return seq;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    throw new Error(`could not number event ${event.id}: ${MAX_APPEND_TRIES} concurrent appends won first`);
  }

  async eventsAfter(seq: number, limit: number): Promise<JournalEvent[]> {
    const docs = await this.events().find({ _id: { $gt: seq } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => ({
      seq: d._id,
      id: d.eventId,
      type: d.type,
      occurredAt: d.occurredAt,
      payload: d.payload,
    }));
  }

  async lastEventSeq(): Promise<number> {
    const [newest] = await this.events().find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
    return newest?._id ?? 0;
  }

  async pruneEvents(before: Date): Promise<number> {
    const newest = await this.lastEventSeq();
    const result = await this.events().deleteMany({ occurredAt: { $lt: before }, _id: { $lt: newest } });
    return result.deletedCount;
  }
}
