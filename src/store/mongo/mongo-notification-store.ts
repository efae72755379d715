import type { Connection, mongo } from 'mongoose';
import type { Page } from '../../domain/action';
import type { DeliveryStatus, OutboxAttempt, OutboxEntry, OutboxQuery } from '../../domain/notification';
import type { EventType } from '../../domain/events';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { NotificationStore } from '../notification-store';
import { isDuplicateKeyError } from './connection';

type Doc = { _id: string; [field: string]: any };
type Coll = mongo.Collection<Doc>;

const OUTBOX = 'notification_outbox';
const CLAIMS = 'notification_outbox_claims';
const INBOUND = 'inbound_requests';

function fromDoc(d: Doc): OutboxEntry {
  return {
    id: d._id as string,
    eventId: d.eventId as string,
    eventType: d.eventType as EventType,
    destination: d.destination as string,
    url: d.url as string,
    payload: d.payload as string,
    status: d.status as DeliveryStatus,
    attempts: d.attempts as number,
    createdAt: d.createdAt as Date,
    updatedAt: d.updatedAt as Date,
    nextAttemptAt: d.nextAttemptAt as Date,
    lockedBy: (d.lockedBy as string | null) ?? null,
    lockedUntil: (d.lockedUntil as Date | null) ?? null,
    lastError: (d.lastError as string | null) ?? null,
    lastStatusCode: (d.lastStatusCode as number | null) ?? null,
    deliveredAt: (d.deliveredAt as Date | null) ?? null,
    orderKey: (d.orderKey as string | null | undefined) ?? null,
  };
}

function toDoc(e: OutboxEntry): Doc {
  const { id, ...rest } = e;
  return { _id: id, ...rest };
}

/** Every write error of an unordered insert is a duplicate key (the rest went in). */
function onlyDuplicates(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> };
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0) {
    return e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
  }
  return isDuplicateKeyError(err);
}

/**
 * The MongoDB side of the notification store; shares the main store's connection. As in MongoStore,
 * no conditional update is trusted to be exclusive (FerretDB 1.24 reads, then writes by `_id`): a
 * delivery claim is won by inserting `<entryId>#<seq>` into the claims collection (a duplicate key
 * means someone else holds it), and only the holder of an entry's newest claim writes the entry.
 * A claim whose lock-until has passed (its holder died) is superseded by inserting seq + 1.
 * Replay keys are unique `_id`s; expiry is a periodic sweep, not a TTL index.
 */
export class MongoNotificationStore implements NotificationStore {
  constructor(private readonly conn: () => Connection) {}

  private col(name: string): Coll {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    return db.collection<Doc>(name);
  }

  /** Creates its collections and indexes; called by MongoStore.init once the connection is open. */
  async init(): Promise<void> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of [OUTBOX, CLAIMS, INBOUND]) {
      if (!existing.has(name)) {
        await db.createCollection(name).catch((err: { code?: number }) => {
          if (err.code !== 48) throw err; // created meanwhile by another instance
        });
      }
    }
    await this.col(OUTBOX).createIndex({ status: 1, nextAttemptAt: 1 });
    await this.col(OUTBOX).createIndex({ createdAt: -1, _id: -1 });
    await this.col(CLAIMS).createIndex({ entryId: 1, seq: -1 });
    await this.col(INBOUND).createIndex({ expiresAt: 1 });
    await this.col(OUTBOX).createIndex({ orderKey: 1, destination: 1, status: 1 });
  }

  async firstPendingInOrder(destination: string, orderKey: string): Promise<OutboxEntry | null> {
    const [doc] = await this.col(OUTBOX).find({ orderKey, destination, status: 'pending' }).sort({ createdAt: 1, _id: 1 }).limit(1).toArray();
    return doc ? fromDoc(doc) : null;
  }

  async enqueueOutbox(entries: OutboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    try {
      return (await this.col(OUTBOX).insertMany(entries.map(toDoc), { ordered: false })).insertedCount;
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
      const written = (err as { writeErrors?: unknown[] }).writeErrors?.length ?? entries.length;
      return Math.max(0, entries.length - written);
    }
  }

  private async latestClaim(entryId: string): Promise<Doc | null> {
    const [latest] = await this.col(CLAIMS).find({ entryId }).sort({ seq: -1 }).limit(1).toArray();
    return latest ?? null;
  }

  async claimDueOutbox(now: Date, owner: string, lockedUntil: Date, limit: number): Promise<OutboxEntry[]> {
    const candidates = await this.col(OUTBOX)
      .find({ status: 'pending', nextAttemptAt: { $lte: now }, $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] })
      .sort({ nextAttemptAt: 1, createdAt: 1, _id: 1 })
      .limit(limit * 3 + 5)
      .toArray();
    const won: OutboxEntry[] = [];
    for (const candidate of candidates) {
      if (won.length >= limit) break;
      const entryId = candidate._id as string;
      const latest = await this.latestClaim(entryId);
      if (latest && !latest.released && (latest.lockedUntil as Date).getTime() > now.getTime()) continue;
      const seq = ((latest?.seq as number | undefined) ?? 0) + 1;
      const claimId = `${entryId}#${seq}`;
      try {
        await this.col(CLAIMS).insertOne({ _id: claimId, entryId, seq, owner, lockedUntil, released: false });
      } catch (err) {
        if (isDuplicateKeyError(err)) continue; // another instance won this claim
        throw err;
      }
      // Won; but the entry may have been finished between the query above and the claim.
      const fresh = await this.col(OUTBOX).findOne({ _id: entryId });
      if (!fresh || fresh.status !== 'pending' || (fresh.nextAttemptAt as Date).getTime() > now.getTime()) {
        await this.col(CLAIMS).updateOne({ _id: claimId }, { $set: { released: true } });
        continue;
      }
      await this.col(OUTBOX).updateOne({ _id: entryId }, { $set: { lockedBy: owner, lockedUntil } });
      await this.col(CLAIMS).deleteMany({ entryId, seq: { $lt: seq } });
      won.push(fromDoc({ ...fresh, lockedBy: owner, lockedUntil }));
    }
    return won;
  }

  /** The claim `owner` holds on the entry, or null (never claimed, released, or superseded). */
  private async heldClaim(id: string, owner: string): Promise<Doc | null> {
    const latest = await this.latestClaim(id);
    if (!latest || latest.owner !== owner || latest.released) return null;
    const entry = await this.col(OUTBOX).findOne({ _id: id });
    return entry && entry.status === 'pending' ? latest : null;
  }

  async recordOutboxAttempt(id: string, owner: string, a: OutboxAttempt): Promise<boolean> {
    const claim = await this.heldClaim(id, owner);
    if (!claim) return false;
    await this.col(OUTBOX).updateOne(
      { _id: id },
      {
        $set: {
          status: a.status,
          attempts: a.attempts,
          nextAttemptAt: a.nextAttemptAt,
          lastError: a.lastError,
          lastStatusCode: a.lastStatusCode,
          deliveredAt: a.deliveredAt,
          updatedAt: a.at,
          lockedBy: null,
          lockedUntil: null,
        },
      },
    );
    await this.col(CLAIMS).updateOne({ _id: claim._id }, { $set: { released: true } });
    return true;
  }

  async releaseOutboxClaim(id: string, owner: string, nextAttemptAt: Date, note: string | null, at: Date): Promise<boolean> {
    const claim = await this.heldClaim(id, owner);
    if (!claim) return false;
    const set: Record<string, unknown> = { nextAttemptAt, updatedAt: at, lockedBy: null, lockedUntil: null };
    if (note !== null) set.lastError = note;
    await this.col(OUTBOX).updateOne({ _id: id }, { $set: set });
    await this.col(CLAIMS).updateOne({ _id: claim._id }, { $set: { released: true } });
    return true;
  }

  async getOutboxEntry(id: string): Promise<OutboxEntry | null> {
    const doc = await this.col(OUTBOX).findOne({ _id: id });
    return doc ? fromDoc(doc) : null;
  }

  async countOutbox(status: DeliveryStatus): Promise<number> {
    return this.col(OUTBOX).countDocuments({ status });
  }

  async listOutbox(query: OutboxQuery): Promise<Page<OutboxEntry>> {
    const filter: Record<string, unknown> = {};
    if (query.status && query.status.length > 0) filter.status = { $in: query.status };
    if (query.eventType) filter.eventType = query.eventType;
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      const at = new Date(cursor.at);
      filter.$or = [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: cursor.id } }];
    }
    const docs = await this.col(OUTBOX).find(filter).sort({ createdAt: -1, _id: -1 }).limit(query.limit + 1).toArray();
    return toPage(docs.map(fromDoc), query.limit);
  }

  async pruneOutbox(before: Date): Promise<number> {
    const old = await this.col(OUTBOX)
      .find({ status: { $in: ['delivered', 'failed'] }, updatedAt: { $lt: before } }, { projection: { _id: 1 } })
      .toArray();
    if (old.length === 0) return 0;
    const ids = old.map((d) => d._id as string);
    const removed = (await this.col(OUTBOX).deleteMany({ _id: { $in: ids } })).deletedCount;
    await this.col(CLAIMS).deleteMany({ entryId: { $in: ids } });
    return removed;
  }

  async rememberInboundRequest(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    const inbound = this.col(INBOUND);
    try {
      await inbound.insertOne({ _id: key, expiresAt });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const seen = await inbound.findOne({ _id: key });
    if (seen && (seen.expiresAt as Date).getTime() > now.getTime()) return false;
    // Seen once, but expired and not swept yet: it may be accepted again, by one caller only.
    await inbound.deleteOne({ _id: key, expiresAt: { $lte: now } });
    try {
      await inbound.insertOne({ _id: key, expiresAt });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async pruneInboundRequests(now: Date): Promise<number> {
    return (await this.col(INBOUND).deleteMany({ expiresAt: { $lte: now } })).deletedCount;
  }
}
