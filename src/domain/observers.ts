/**
 * Hooks for what happens without an event (events go through the Notifier): the ingest pipeline and
 * the webhook dispatcher report here, and the metrics module listens. Every method must return at
 * once and never throw; a no-op observer is the default.
 */
export interface IngestObserver {
  /** A snapshot was evaluated and stored. */
  snapshotIngested(source: string): void;
  /** How long evaluating one snapshot against the enabled rules took. */
  evaluated(seconds: number): void;
  /** One decision about one matched rule (ingest or manual trigger). */
  decided(rule: string, decision: string): void;
}

export interface DeliveryObserver {
  /** One delivery attempt of an outbound event failed (it may still be retried). */
  deliveryFailed(destination: string): void;
  /** Outbox entries dropped because the outbox was full (notifications.delivery.maxPending). */
  outboxOverflowed?(entries: number): void;
}

export const NO_INGEST_OBSERVER: IngestObserver = {
  snapshotIngested: () => undefined,
  evaluated: () => undefined,
  decided: () => undefined,
};
