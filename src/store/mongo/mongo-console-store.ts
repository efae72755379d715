import type { Connection, mongo } from 'mongoose';
import type { JournalEvent, NewJournalEvent, SessionRecord } from '../../domain/console';
import type { ConsoleStore } from '../console-store';
import { isDuplicateKeyError } from './connection';

type EventDoc = { _id: number; eventId: string; type: string; occurredAt: Date; payload: string };
type SessionDoc = { _id: string; keyName: string; role: string; createdAt: Date; expiresAt: Date };

const EVENTS = 'console_events';
const SESSIONS = 'console_sessions';
/** Gives up after this many lost races for one number (only under absurd write contention). */
const MAX_APPEND_TRIES = 200;

/**
 * The MongoDB side of the console store. An event's number is its `_id`: appending reads the newest
 * number and inserts the next one; a duplicate key means another instance took it, so try the one
 * after. An insert is exclusive on FerretDB and MongoDB alike, and number n + 1 is only tried once n
 * is in the collection, so a reader that has seen n has seen every number below it. Sessions are
 * documents by `_id`; ending one is a deleteOne; expiry is a periodic sweep (no TTL index).
 */
export class MongoConsoleStore implements ConsoleStore {
  constructor(private readonly conn: () => Connection) {}

  private get db(): mongo.Db {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    return db;
  }

  private events(): mongo.Collection<EventDoc> {
    return this.db.collection<EventDoc>(EVENTS);
  }

  private sessions(): mongo.Collection<SessionDoc> {
    return this.db.collection<SessionDoc>(SESSIONS);
  }

  async init(): Promise<void> {
    const db = this.db;
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of [EVENTS, SESSIONS]) {
      if (!existing.has(name)) {
        await db.createCollection(name).catch((err: { code?: number }) => {
          if (err.code !== 48) throw err; // created meanwhile by another instance
        });
      }
    }
    await this.events().createIndex({ occurredAt: 1 });
    await this.events().createIndex({ eventId: 1 });
    await this.sessions().createIndex({ expiresAt: 1 });
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

  async insertSession(s: SessionRecord): Promise<void> {
    await this.sessions().insertOne({ _id: s.id, keyName: s.keyName, role: s.role, createdAt: s.createdAt, expiresAt: s.expiresAt });
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const d = await this.sessions().findOne({ _id: id });
    if (!d) return null;
    return { id: d._id, keyName: d.keyName, role: d.role, createdAt: d.createdAt, expiresAt: d.expiresAt };
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.sessions().deleteOne({ _id: id })).deletedCount === 1;
  }

  async pruneSessions(now: Date): Promise<number> {
    return (await this.sessions().deleteMany({ expiresAt: { $lte: now } })).deletedCount;
  }
}
