import type { JournalEvent, NewJournalEvent, SessionRecord } from '../domain/console';

/**
 * Persistence for the browser console, beside the main store (both adapters): the event journal
 * behind GET /api/events and the sign-in sessions. Kept in the store, not in memory, so that several
 * instances behind one port (PM2 cluster) share both: a session opened on one is honoured and ended
 * on all, and a stream resumed on another instance continues from the same event numbers.
 */
export interface ConsoleStore {
  /**
   * Appends an event and returns its number: one more than the newest, with no gaps and no reuse.
   * An event whose id is journaled already is not appended again; its number is returned (the same
   * event reaches the journal from the notifier and from the relay of committed events).
   */
  appendEvent(event: NewJournalEvent): Promise<number>;
  /** Events numbered above `seq`, oldest first, at most `limit`. */
  eventsAfter(seq: number, limit: number): Promise<JournalEvent[]>;
  /** The newest event's number, 0 when there is none. */
  lastEventSeq(): Promise<number>;
  /** Forgets events that occurred before `before`, always keeping the newest (numbering goes on from it). */
  pruneEvents(before: Date): Promise<number>;

  insertSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** True when it existed. */
  deleteSession(id: string): Promise<boolean>;
  /** Forgets sessions that expired at or before `now`. */
  pruneSessions(now: Date): Promise<number>;
}
