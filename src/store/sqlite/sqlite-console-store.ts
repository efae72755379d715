import type Database from 'better-sqlite3';
import type { ConsoleStore } from '../console-store';
import { expose } from '../compose';
import { EVENT_JOURNAL_METHODS } from '../event-journal-store';
import { SESSION_STORE_METHODS } from '../session-store';
import { SqliteEventJournalStore } from './sqlite-event-journal-store';
import { SqliteSessionStore } from './sqlite-session-store';

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface SqliteConsoleStore extends ConsoleStore {}

/** `store.console` on SQLite: the event journal and the sessions side by side. */
export class SqliteConsoleStore implements ConsoleStore {
  private readonly journal: SqliteEventJournalStore;
  private readonly sessions: SqliteSessionStore;

  constructor(conn: () => Database.Database) {
    this.journal = new SqliteEventJournalStore(conn);
    this.sessions = new SqliteSessionStore(conn);
    expose(this, this.journal, EVENT_JOURNAL_METHODS);
    expose(this, this.sessions, SESSION_STORE_METHODS);
  }

  init(): void {
    this.journal.init();
    this.sessions.init();
  }
}
