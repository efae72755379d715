import type { EventType } from './events';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A destination's circuit breaker, as GET /api/self-healing/notifications shows it. */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/**
 * One event bound for one webhook destination. The body is kept exactly as first serialized, so
 * every retry sends the same bytes with the same event id and receivers can drop duplicates.
 */
export interface OutboxEntry {
  /** `<eventId>:<destination>`: enqueueing the same event twice for a destination is a no-op. */
  id: string;
  eventId: string;
  eventType: EventType;
  /** Channel name: "n8n" or a key of notifications.channels. */
  destination: string;
  url: string;
  /** The JSON body, byte for byte as it is sent and signed. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  nextAttemptAt: Date;
  /** The dispatcher instance that holds the entry while sending it, and until when. */
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  /**
   * Entries with one order key (the action's id) reach a destination in the order they were
   * queued: a later one waits while an earlier one is still pending. Null: no order to keep.
   */
  orderKey?: string | null;
}

/** What one delivery attempt changed; applied only while the sender still holds its claim. */
export interface OutboxAttempt {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  at: Date;
}

export interface OutboxQuery {
  status?: DeliveryStatus[];
  eventType?: EventType;
  limit: number;
  cursor?: string;
}
