import type { Connection } from 'mongoose';
import type { ConsoleStore } from '../console-store';
import { expose } from '../compose';
import { EVENT_JOURNAL_METHODS } from '../event-journal-store';
import { SESSION_STORE_METHODS } from '../session-store';
import { MongoEventJournalStore } from './mongo-event-journal-store';
import { MongoSessionStore } from './mongo-session-store';

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface MongoConsoleStore extends ConsoleStore {}

/** `store.console` on MongoDB: the event journal and the sessions side by side. */
export class MongoConsoleStore implements ConsoleStore {
  private readonly journal: MongoEventJournalStore;
  private readonly sessions: MongoSessionStore;

  constructor(conn: () => Connection) {
    this.journal = new MongoEventJournalStore(conn);
    this.sessions = new MongoSessionStore(conn);
    expose(this, this.journal, EVENT_JOURNAL_METHODS);
    expose(this, this.sessions, SESSION_STORE_METHODS);
  }

  async init(): Promise<void> {
    await this.journal.init();
    await this.sessions.init();
  }
}
