/** Shapes the console's modules share, for their `// @ts-check` (tsconfig.console.json); no code. */
import type { EventType } from './vocabulary.js';

/** GET /api/session: who is signed in, or open mode. */
export interface Who {
  open: boolean;
  signedIn?: boolean;
  name?: string | null;
  role?: string | null;
}

/** What a page is handed: the caller, what the caller may do, and the console's services. */
export interface Ctx {
  who: Who;
  /** The service has this operation, by its operationId (an older service behind the same console may not). */
  has(name: string): boolean;
  /** The caller's role may call this operation, by its operationId. */
  can(name: string): boolean;
  announce(text: string): void;
  navigate(hash: string): void;
}

/** A visit: the hash's path parameters and query. */
export interface View {
  params: string[];
  query: URLSearchParams;
}

/** One event of GET /api/events: its type, number and the outbox's envelope. */
export interface LiveEvent {
  type: EventType | string;
  id: string;
  // The envelope differs by type (docs/api.md); pages read the members they know.
  data: any;
}

/** What a mounted page gives back: it hears live events and lets go of its timers when left. */
export interface PageInstance {
  onEvent?(event: LiveEvent): void;
  dispose?(): void;
}
