import type { Page } from '../domain/action';
import type { DeliveryStatus, OutboxAttempt, OutboxEntry, OutboxQuery } from '../domain/notification';

/**
 * Persistence for the n8n integration: the outbound-event outbox (delivered at least once, across
 * restarts) and the keys of inbound requests already seen (replay protection). Each adapter keeps it
 * in its own file beside its main store. Every change is one conditional write on one entry, so the
 * MongoDB adapter needs no transactions.
 */
export interface NotificationStore {
  /** Adds entries; one whose id is already stored is left as it is. Returns how many were new. */
  enqueueOutbox(entries: OutboxEntry[]): Promise<number>;
  /**
   * Claims up to `limit` pending entries due at `now` whose claim is free or expired, for `owner`
   * until `lockedUntil`, oldest due first. Two callers never both get the same entry while a claim runs.
   */
  claimDueOutbox(now: Date, owner: string, lockedUntil: Date, limit: number): Promise<OutboxEntry[]>;
  /** Records an attempt and frees the claim, only while `owner` holds it; false when it does not. */
  recordOutboxAttempt(id: string, owner: string, attempt: OutboxAttempt): Promise<boolean>;
  /** Frees the claim without counting an attempt (breaker open, shutting down); due again at `nextAttemptAt`. */
  releaseOutboxClaim(id: string, owner: string, nextAttemptAt: Date, note: string | null, at: Date): Promise<boolean>;
  getOutboxEntry(id: string): Promise<OutboxEntry | null>;
  /** The first-queued pending entry for `destination` with `orderKey` (by createdAt, then id); null when none. */
  firstPendingInOrder(destination: string, orderKey: string): Promise<OutboxEntry | null>;
  /** How many entries have this status (the outbox-pending gauge of /metrics). */
  countOutbox(status: DeliveryStatus): Promise<number>;
  /** Newest first. */
  listOutbox(query: OutboxQuery): Promise<Page<OutboxEntry>>;
  /** Deletes delivered and failed entries last updated before `before`; returns how many. */
  pruneOutbox(before: Date): Promise<number>;
  /**
   * Remembers an inbound request key until `expiresAt`. True when it is new (or its earlier record has
   * expired), false when it was seen: a replay.
   */
  rememberInboundRequest(key: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Forgets keys that expired at or before `now`; returns how many. */
  pruneInboundRequests(now: Date): Promise<number>;
}
