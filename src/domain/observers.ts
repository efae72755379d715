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

/** Why a pull-source query failed: a fixed list, so it can be a metric label. */
export const SOURCE_FAILURE_REASONS = ['timeout', 'unreachable', 'http_status', 'query_error', 'bad_result'] as const;
export type SourceFailureReason = (typeof SOURCE_FAILURE_REASONS)[number];

/** Told of each query a pull source ran (the metrics module listens). */
export interface SourceObserver {
  queried(source: string, fact: string, seconds: number, failure: SourceFailureReason | null): void;
}

export const NO_SOURCE_OBSERVER: SourceObserver = { queried: () => undefined };
