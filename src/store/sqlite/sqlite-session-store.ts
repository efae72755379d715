import type Database from 'better-sqlite3';
import type { SessionRecord } from '../../domain/console';
import type { SessionStore } from '../session-store';

type Row = Record<string, unknown>;

const SESSION_SCHEMA = `
CREATE TABLE IF NOT EXISTS console_sessions (
  id TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS console_sessions_expiry ON console_sessions (expires_at);
`;

function sessionOf(row: Row): SessionRecord {
  return {
    id: row.id as string,
    keyName: row.key_name as string,
    role: row.role as string,
    createdAt: new Date(row.created_at as number),
    expiresAt: new Date(row.expires_at as number),
  };
}

/** Console sessions on SQLite, one row each; shares the main store's connection. */
export class SqliteSessionStore implements SessionStore {
  constructor(private readonly conn: () => Database.Database) {}

  init(): void {
    this.conn().exec(SESSION_SCHEMA);
  }

  async insertSession(s: SessionRecord): Promise<void> {
    this.conn()
      .prepare('INSERT INTO console_sessions (id, key_name, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.id, s.keyName, s.role, s.createdAt.getTime(), s.expiresAt.getTime());
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = this.conn().prepare('SELECT * FROM console_sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? sessionOf(row) : null;
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.conn().prepare('DELETE FROM console_sessions WHERE id = ?').run(id).changes > 0;
  }

  async pruneSessions(now: Date): Promise<number> {
    return this.conn().prepare('DELETE FROM console_sessions WHERE expires_at <= ?').run(now.getTime()).changes;
  }
}
