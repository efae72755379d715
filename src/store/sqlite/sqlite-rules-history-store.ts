import type Database from 'better-sqlite3';
import type { Page } from '../../domain/action';
import type { RulesVersionRecord, RulesVersionSummary } from '../../domain/rules-version';
import { decodeCursor, encodeCursor } from '../../domain/cursor';
import type { RulesHistoryStore } from '../rules-history-store';

type Row = Record<string, unknown>;

const RULES_HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS rules_history (
  seq INTEGER PRIMARY KEY,
  version TEXT NOT NULL,
  summary TEXT NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rules_history_version ON rules_history (version, seq DESC);
`;

function summaryOf(record: RulesVersionRecord): string {
  const { document: _document, ...summary } = record;
  return JSON.stringify(summary);
}

function fromSummary(text: string): RulesVersionSummary {
  const s = JSON.parse(text) as RulesVersionSummary & { at: string };
  return { ...s, at: new Date(s.at) };
}

/** The SQLite side of the rules history; shares the main store's connection. */
export class SqliteRulesHistoryStore implements RulesHistoryStore {
  constructor(private readonly conn: () => Database.Database) {}

  init(): void {
    this.conn().exec(RULES_HISTORY_SCHEMA);
  }

  async latestRulesVersion(): Promise<RulesVersionRecord | null> {
    const row = this.conn().prepare('SELECT summary, document FROM rules_history ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
    return row ? { ...fromSummary(row.summary as string), document: row.document as string } : null;
  }

  async insertRulesVersion(record: RulesVersionRecord): Promise<boolean> {
    const result = this.conn()
      .prepare('INSERT INTO rules_history (seq, version, summary, document) VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING')
      .run(record.seq, record.version, summaryOf(record), record.document);
    return result.changes === 1;
  }

  async deleteRulesVersion(seq: number, version: string): Promise<void> {
    this.conn().prepare('DELETE FROM rules_history WHERE seq = ? AND version = ?').run(seq, version);
  }

  async getRulesVersion(version: string): Promise<RulesVersionRecord | null> {
    const row = this.conn()
      .prepare('SELECT summary, document FROM rules_history WHERE version = ? ORDER BY seq DESC LIMIT 1')
      .get(version) as Row | undefined;
    return row ? { ...fromSummary(row.summary as string), document: row.document as string } : null;
  }

  async listRulesVersions(query: { limit: number; cursor?: string }): Promise<Page<RulesVersionSummary>> {
    // The shared cursor shape: `at` is the seq of the last record returned.
    const before = query.cursor ? (decodeCursor(query.cursor)?.at ?? null) : null;
    const rows = this.conn()
      .prepare(`SELECT summary FROM rules_history ${before !== null ? 'WHERE seq < ?' : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...(before !== null ? [before] : []), query.limit + 1) as Row[];
    const items = rows.slice(0, query.limit).map((r) => fromSummary(r.summary as string));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.seq, id: last.version }) : null };
  }
}
