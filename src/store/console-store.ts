import type { EventJournalStore } from './event-journal-store';
import type { SessionStore } from './session-store';

/**
 * What the browser console keeps in the store (both adapters): the event journal and the sign-in
 * sessions, two aggregates under `store.console`.
 */
export interface ConsoleStore extends EventJournalStore, SessionStore {}
