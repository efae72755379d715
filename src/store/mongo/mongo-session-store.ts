import type { Connection, mongo } from 'mongoose';
import type { SessionRecord } from '../../domain/console';
import type { SessionStore } from '../session-store';
import { ensureCollections, openDb } from './mongo-collections';

type SessionDoc = { _id: string; keyName: string; role: string; createdAt: Date; expiresAt: Date };

const SESSIONS = 'console_sessions';

/** Console sessions on MongoDB: documents by `_id`; ending one is a deleteOne; expiry is a periodic sweep (no TTL index). */
export class MongoSessionStore implements SessionStore {
  constructor(private readonly conn: () => Connection) {}

  private sessions(): mongo.Collection<SessionDoc> {
    return openDb(this.conn).collection<SessionDoc>(SESSIONS);
  }

  async init(): Promise<void> {
    await ensureCollections(openDb(this.conn), [SESSIONS]);
    await this.sessions().createIndex({ expiresAt: 1 });
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
