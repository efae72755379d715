import type Database from 'better-sqlite3';
import type { IdempotencyClaim, IdempotencyRecord, IdempotentReply } from '../../domain/idempotency';
import type { IdempotencyStore } from '../idempotency-store';

type Row = { key: string; fingerprint: string; token: string; claimed_at: number; expires_at: number; reply: string | null };

const IDEMPOTENCY_SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  token TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  reply TEXT
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);
`;

function fromRow(row: Row): IdempotencyRecord {
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    token: row.token,
    claimedAt: new Date(row.claimed_at),
    expiresAt: new Date(row.expires_at),
    reply: row.reply === null ? null : (JSON.parse(row.reply) as IdempotentReply),
  };
}

/** The SQLite side of the idempotency keys; shares the main store's connection. A claim is one IMMEDIATE transaction. */
export class SqliteIdempotencyStore implements IdempotencyStore {
  constructor(private readonly conn: () => Database.Database) {}

  init(): void {
    this.conn().exec(IDEMPOTENCY_SCHEMA);
  }

  async claimIdempotencyKey(record: Omit<IdempotencyRecord, 'reply'>, now: Date, staleBefore: Date): Promise<IdempotencyClaim> {
    const db = this.conn();
    const claim = db.transaction((): IdempotencyClaim => {
      const row = db.prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(record.key) as Row | undefined;
      const free = !row || row.expires_at <= now.getTime() || (row.reply === null && row.claimed_at < staleBefore.getTime());
      if (!free) return { claimed: false, record: fromRow(row) };
      db.prepare(
        `INSERT INTO idempotency_keys (key, fingerprint, token, claimed_at, expires_at, reply) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, token = excluded.token,
           claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, reply = NULL`,
      ).run(record.key, record.fingerprint, record.token, record.claimedAt.getTime(), record.expiresAt.getTime());
      return { claimed: true };
    });
    return claim.immediate();
  }

  async completeIdempotencyKey(key: string, token: string, reply: IdempotentReply): Promise<boolean> {
    const result = this.conn()
      .prepare('UPDATE idempotency_keys SET reply = ? WHERE key = ? AND token = ? AND reply IS NULL')
      .run(JSON.stringify(reply), key, token);
    return result.changes === 1;
  }

  async releaseIdempotencyKey(key: string, token: string): Promise<void> {
    this.conn().prepare('DELETE FROM idempotency_keys WHERE key = ? AND token = ? AND reply IS NULL').run(key, token);
  }

  async getIdempotencyKey(key: string): Promise<IdempotencyRecord | null> {
    const row = this.conn().prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(key) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async pruneIdempotencyKeys(now: Date): Promise<number> {
    return this.conn().prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?').run(now.getTime()).changes;
  }
}
