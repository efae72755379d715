import type { JournalEvent, NewJournalEvent } from '../domain/console';

/**
 * The event journal behind GET /api/events, shared by every instance: a stream resumed on another
 * instance continues from the same event numbers.
 */
export interface EventJournalStore {
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
}

export const EVENT_JOURNAL_METHODS: Record<keyof EventJournalStore, true> = {
  appendEvent: true,
  eventsAfter: true,
  lastEventSeq: true,
  pruneEvents: true,
};
