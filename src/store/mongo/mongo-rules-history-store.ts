import type { Connection, mongo } from 'mongoose';
import type { Page } from '../../domain/action';
import type { RulesVersionRecord, RulesVersionSummary } from '../../domain/rules-version';
import { decodeCursor, encodeCursor } from '../../domain/cursor';
import type { RulesHistoryStore } from '../rules-history-store';
import { isDuplicateKeyError } from './connection';

type Doc = { _id: number; [field: string]: any };

const HISTORY = 'rules_history';

function fromDoc(d: Doc): RulesVersionRecord {
  const { _id, ...rest } = d;
  return { ...(rest as Omit<RulesVersionRecord, 'seq'>), seq: _id };
}

/**
 * The MongoDB side of the rules history; shares the main store's connection. A record's `_id` is
 * its seq, so taking the next number is an insert that only one instance can win (FerretDB-safe).
 */
export class MongoRulesHistoryStore implements RulesHistoryStore {
  constructor(private readonly conn: () => Connection) {}

  private col(): mongo.Collection<Doc> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    return db.collection<Doc>(HISTORY);
  }

  async init(): Promise<void> {
    const db = this.conn().db;
    if (!db) throw new Error('MongoDB store is not open');
    const exists = (await db.listCollections({ name: HISTORY }, { nameOnly: true }).toArray()).length > 0;
    if (!exists) {
      await db.createCollection(HISTORY).catch((err: { code?: number }) => {
        if (err.code !== 48) throw err; // created meanwhile by another instance
      });
    }
    await this.col().createIndex({ version: 1, _id: -1 });
  }

  async latestRulesVersion(): Promise<RulesVersionRecord | null> {
    const [doc] = await this.col().find({}).sort({ _id: -1 }).limit(1).toArray();
    return doc ? fromDoc(doc) : null;
  }

  async insertRulesVersion(record: RulesVersionRecord): Promise<boolean> {
    const { seq, ...rest } = record;
    try {
      await this.col().insertOne({ _id: seq, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async deleteRulesVersion(seq: number, version: string): Promise<void> {
    await this.col().deleteOne({ _id: seq, version });
  }

  async getRulesVersion(version: string): Promise<RulesVersionRecord | null> {
    const [doc] = await this.col().find({ version }).sort({ _id: -1 }).limit(1).toArray();
    return doc ? fromDoc(doc) : null;
  }

  async listRulesVersions(query: { limit: number; cursor?: string }): Promise<Page<RulesVersionSummary>> {
    // The shared cursor shape: `at` is the seq of the last record returned.
    const before = query.cursor ? (decodeCursor(query.cursor)?.at ?? null) : null;
    const docs = await this.col()
      .find(before !== null ? { _id: { $lt: before } } : {}, { projection: { document: 0 } })
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .toArray();
    const items = docs.slice(0, query.limit).map((d) => fromDoc(d) as RulesVersionSummary);
    const last = items[items.length - 1];
    return { items, nextCursor: docs.length > query.limit && last ? encodeCursor({ at: last.seq, id: last.version }) : null };
  }
}
