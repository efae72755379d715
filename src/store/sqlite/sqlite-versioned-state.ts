import type { NotificationEvent } from '../../domain/events';
import type { FailbackProbes, Prompt, Versioned } from '../../domain/state';
import {
  checkEventsAllowed,
  FAILBACK_PROBES,
  type StateKey,
  type StateSpace,
  VersionedStateShorthands,
} from '../versioned-state-store';
import type { Row, SqliteContext } from './sqlite-context';

/** Each space is a table of (key, revision, doc); the prompts' key column is `name`. */
const TABLES: Record<StateSpace, { table: string; key: string }> = {
  state: { table: 'state', key: 'key' },
  prompts: { table: 'prompts', key: 'name' },
};

/**
 * Versioned documents on SQLite: one row per document, its revision bumped by a conditional
 * UPDATE (or created by an INSERT that a second creator finds taken), inside an IMMEDIATE
 * transaction with the events it commits.
 */
export class SqliteVersionedState extends VersionedStateShorthands {
  constructor(private readonly ctx: SqliteContext) {
    super();
  }

  async getVersioned<T>(key: StateKey<T>): Promise<Versioned<T> | null> {
    const { table, key: column } = TABLES[key.space];
    const row = this.ctx.stmt(`SELECT revision, doc FROM ${table} WHERE ${column} = ?`).get(key.key) as Row | undefined;
    return row ? { value: JSON.parse(row.doc as string) as T, revision: row.revision as number } : null;
  }

  async setIfRevision<T>(key: StateKey<T>, value: T, expectedRevision: number, events: NotificationEvent[] = []): Promise<boolean> {
    checkEventsAllowed(key, events);
    const saved = this.ctx.conn
      .transaction(() => {
        const ok = this.writeRow(key, value, expectedRevision);
        if (ok) this.ctx.committedEvents.insertWithin(events);
        return ok;
      })
      .immediate();
    if (saved) this.ctx.committedEvents.committed(events);
    return saved;
  }

  private writeRow<T>(key: StateKey<T>, value: T, expectedRevision: number): boolean {
    const { table, key: column } = TABLES[key.space];
    const doc = JSON.stringify(value);
    if (expectedRevision === 0) {
      return (
        this.ctx.stmt(`INSERT INTO ${table} (${column}, revision, doc) VALUES (?, 1, ?) ON CONFLICT (${column}) DO NOTHING`)
          .run(key.key, doc).changes === 1
      );
    }
    return (
      this.ctx.stmt(`UPDATE ${table} SET revision = revision + 1, doc = ? WHERE ${column} = ? AND revision = ?`)
        .run(doc, key.key, expectedRevision).changes === 1
    );
  }

  async saveFailbackProbes(value: FailbackProbes): Promise<void> {
    this.ctx.stmt(
      `INSERT INTO state (key, revision, doc) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET revision = revision + 1, doc = excluded.doc`,
    ).run(FAILBACK_PROBES.key, JSON.stringify(value));
  }

  async listPrompts(): Promise<Prompt[]> {
    const rows = this.ctx.stmt('SELECT doc FROM prompts ORDER BY name').all() as Row[];
    return rows.map((r) => JSON.parse(r.doc as string) as Prompt);
  }
}
