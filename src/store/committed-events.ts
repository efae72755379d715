import type { NotificationEvent } from '../domain/events';

/**
 * An event written in the same store write as the state change that caused it, waiting for the
 * relay to put it in the outbox. `carrier` says where the adapter keeps it (opaque outside the store).
 */
export interface CommittedEvent {
  event: NotificationEvent;
  carrier: string;
}

/**
 * Events committed with their cause (actions, alerts): a crash after the change can no longer lose
 * its event. The relay (notifications/event-relay.ts) reads them, writes them to the outbox
 * idempotently (the outbox entry id is `<eventId>:<destination>`), and only then marks them relayed;
 * a crash in between relays them again, which the outbox ignores.
 */
export interface CommittedEventStore {
  /** Oldest first within each carrier; at most about `limit`. */
  pending(limit: number): Promise<CommittedEvent[]>;
  /** Forgets these events (they are in the outbox now); events added to a carrier since stay. */
  markRelayed(events: CommittedEvent[]): Promise<void>;
  /** Called after each write that committed events, so the relay in this process runs at once. */
  onCommitted(listener: () => void): void;
}

/** Events as the stores keep them: the whole event (routing channels included) as JSON. */
export function serializeEvent(event: NotificationEvent): string {
  return JSON.stringify(event);
}

export function parseEvent(text: string): NotificationEvent {
  return JSON.parse(text) as NotificationEvent;
}
