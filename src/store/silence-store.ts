import type { Page } from '../domain/action';
import type { NotificationEvent } from '../domain/events';
import type { Silence, SilenceState } from '../silences/silence';

export interface SilenceQuery {
  limit: number;
  cursor?: string;
  /** Only silences in this state at `now`. */
  state?: SilenceState;
  now: Date;
}

export type SilenceExpiry =
  | { ok: true; silence: Silence }
  | { ok: false; reason: 'not_found' }
  /** Ended or expired already (at or before `at`); the silence as stored. */
  | { ok: false; reason: 'expired'; silence: Silence };

/**
 * Silences (both adapters). Never deleted: expiring one records who and when, so the silences in
 * force at any past instant can be read back (replay). Expiring is exclusive: of two callers, one
 * expires it and the other is told it is over.
 */
export interface SilenceStore {
  /** Inserts the silence and commits `events` with it. */
  insertSilence(silence: Silence, events?: NotificationEvent[]): Promise<void>;
  getSilence(id: string): Promise<Silence | null>;
  /** Newest first (createdAt, id). */
  listSilences(query: SilenceQuery): Promise<Page<Silence>>;
  /** Expires it at `at`, unless it has ended or been expired; `eventsFor` builds the events committed with the change. */
  expireSilence(id: string, by: string, at: Date, eventsFor?: (expired: Silence) => NotificationEvent[]): Promise<SilenceExpiry>;
  /**
   * Every silence that was in its period at some instant of [from, to] as known then: created at or
   * before `to`, startsAt <= to, endsAt > from, not expired at or before `from`. Schedules are not
   * read here (silences/in-force.ts does).
   */
  silencesOverlapping(from: Date, to: Date): Promise<Silence[]>;
}
