import type { Connection, mongo } from 'mongoose';
import type { IdempotencyClaim, IdempotencyRecord, IdempotentReply } from '../../domain/idempotency';
import type { IdempotencyStore } from '../idempotency-store';
import { isDuplicateKeyError } from './connection';

/** `reply` is JSON text: a reply's field names (metric names) may hold dots or dollars, which documents refuse. */
type Doc = { _id: string; fingerprint: string; token: string; claimedAt: Date; expiresAt: Date; reply: string | null };

const KEYS = 'idempotency_keys';
/** Gives up after this many lost races for one key (only when many requests take over one key at once). */
const MAX_CLAIM_TRIES = 50;

function fromDoc(d: Doc): IdempotencyRecord {
  return {
    key: d._id,
    fingerprint: d.fingerprint,
    token: d.token,
    claimedAt: d.claimedAt,
    expiresAt: d.expiresAt,
    reply: d.reply === null ? null : (JSON.parse(d.reply) as IdempotentReply),
  };
}

/**
 * The MongoDB side of the idempotency keys; shares the main store's connection. The key is the
 * `_id`, so a first claim is an insert only one instance can win; taking over an expired or stale
 * claim is an update conditional on the token seen, so only one taker wins (FerretDB-safe).
 */
export class MongoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly conn: () => Connection) {}

  private col(): mongo.Collection<Doc> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    return db.collection<Doc>(KEYS);
  }

  async init(): Promise<void> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    const exists = (await db.listCollections({ name: KEYS }, { nameOnly: true }).toArray()).length > 0;
    if (!exists) {
      await db.createCollection(KEYS).catch((err: { code?: number }) => {
        if (err.code !== 48) throw err; // created meanwhile by another instance
      });
    }
    await this.col().createIndex({ expiresAt: 1 });
  }

  async claimIdempotencyKey(record: Omit<IdempotencyRecord, 'reply'>, now: Date, staleBefore: Date): Promise<IdempotencyClaim> {
    const doc: Doc = {
      _id: record.key,
      fingerprint: record.fingerprint,
      token: record.token,
      claimedAt: record.claimedAt,
      expiresAt: record.expiresAt,
      reply: null,
    };
    for (let i = 0; i < MAX_CLAIM_TRIES; i += 1) {
      try {
        await this.col().insertOne(doc);
        return { claimed: true };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const seen = await this.col().findOne({ _id: record.key });
      if (!seen) continue; // pruned or released meanwhile: insert again
      const free = seen.expiresAt.getTime() <= now.getTime() || (seen.reply === null && seen.claimedAt.getTime() < staleBefore.getTime());
      if (!free) return { claimed: false, record: fromDoc(seen) };
      const { _id, ...fields } = doc;
      const taken = await this.col().updateOne({ _id, token: seen.token }, { $set: fields });
      if (taken.modifiedCount === 1) return { claimed: true };
    }
    throw new Error(`idempotency key ${record.key}: could not claim it after ${MAX_CLAIM_TRIES} tries`);
  }

  async completeIdempotencyKey(key: string, token: string, reply: IdempotentReply): Promise<boolean> {
    const result = await this.col().updateOne({ _id: key, token, reply: null }, { $set: { reply: JSON.stringify(reply) } });
    return result.modifiedCount === 1;
  }

  async releaseIdempotencyKey(key: string, token: string): Promise<void> {
    await this.col().deleteOne({ _id: key, token, reply: null });
  }

  async getIdempotencyKey(key: string): Promise<IdempotencyRecord | null> {
    const doc = await this.col().findOne({ _id: key });
    return doc ? fromDoc(doc) : null;
  }

  async pruneIdempotencyKeys(now: Date): Promise<number> {
    return (await this.col().deleteMany({ expiresAt: { $lte: now } })).deletedCount;
  }
}
