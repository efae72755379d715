import Database from 'better-sqlite3';
import { type FaultPoints, noFaults } from '../../domain/fault-points';
import { SqliteCommittedEvents } from './sqlite-committed-events';

export type Row = Record<string, unknown>;

const MAX_CACHED_STATEMENTS = 500;

/**
 * What every aggregate of the SQLite store shares: the one connection, its statement cache, the
 * committed events written inside their transactions, and the fault points.
 */
export class SqliteContext {
  private db: Database.Database | null = null;
  private readonly statements = new Map<string, Database.Statement>();
  readonly committedEvents: SqliteCommittedEvents;

  constructor(readonly faults: FaultPoints = noFaults) {
    this.committedEvents = new SqliteCommittedEvents(() => this.conn);
  }

  open(db: Database.Database): void {
    this.db = db;
  }

  close(): void {
    this.statements.clear();
    this.db?.close();
    this.db = null;
  }

  get conn(): Database.Database {
    if (!this.db) throw new Error('SQLite store is not open');
    return this.db;
  }

  /** Statements are compiled once and reused: preparing costs as much as running a small query. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.conn.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
