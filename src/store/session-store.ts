import type { SessionRecord } from '../domain/console';

/**
 * Browser-console sign-in sessions, in the store rather than in memory so that several instances
 * behind one port (PM2 cluster) share them: a session opened on one is honoured and ended on all.
 */
export interface SessionStore {
  insertSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** True when it existed. */
  deleteSession(id: string): Promise<boolean>;
  /** Forgets sessions that expired at or before `now`. */
  pruneSessions(now: Date): Promise<number>;
}

export const SESSION_STORE_METHODS: Record<keyof SessionStore, true> = {
  insertSession: true,
  getSession: true,
  deleteSession: true,
  pruneSessions: true,
};
