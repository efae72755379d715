import type { LeaseStore } from '../lease-store';
import type { SqliteContext } from './sqlite-context';

/** Leases and one-time claims on SQLite: each one conditional statement on its primary key. */
export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly ctx: SqliteContext) {}

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const result = this.ctx
      .stmt(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
      )
      .run(name, holder, now.getTime() + ttlMs, now.getTime());
    return result.changes === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.ctx.stmt('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
  }

  async claimOnce(key: string, at: Date): Promise<boolean> {
    return this.ctx.stmt('INSERT INTO once_claims (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, at.getTime()).changes === 1;
  }
}
