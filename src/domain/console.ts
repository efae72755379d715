/**
 * What the browser console needs kept: sign-in sessions, and the journal of events that
 * GET /api/events streams (the same events the n8n outbox carries), numbered in the order they were written.
 */

/** A signed-in browser. `id` is the SHA-256 (hex) of the cookie's token: the token itself is never stored. */
export interface SessionRecord {
  id: string;
  /** The API key the session was opened with (its name), and that key's role at sign-in. */
  keyName: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
}

/** One event in the journal; `seq` grows by one per event across every instance sharing the store. */
export interface JournalEvent {
  seq: number;
  /** The event's own id (the outbox's `eventId`). */
  id: string;
  type: string;
  occurredAt: Date;
  /** The wire envelope, as JSON, exactly as the n8n webhook receives it. */
  payload: string;
}

export type NewJournalEvent = Omit<JournalEvent, 'seq'>;
