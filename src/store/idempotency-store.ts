import type { IdempotencyClaim, IdempotencyRecord, IdempotentReply } from '../domain/idempotency';

/**
 * Idempotency keys of ingest requests (both adapters), in the store so that a retry is recognised
 * by any instance, after a restart too. Claiming is one conditional write, so of two requests with
 * one key, on any instances, exactly one claims it.
 */
export interface IdempotencyStore {
  /**
   * Claims `record.key` for `record.token` when the key is unknown, expired (`expiresAt` at or before
   * `now`), or claimed before `staleBefore` and never answered (its request died with its process).
   * Otherwise returns what is stored.
   */
  claimIdempotencyKey(record: Omit<IdempotencyRecord, 'reply'>, now: Date, staleBefore: Date): Promise<IdempotencyClaim>;
  /** Stores the reply of the claim `token`; false when that claim is no longer the key's. */
  completeIdempotencyKey(key: string, token: string, reply: IdempotentReply): Promise<boolean>;
  /** Gives up the unanswered claim `token` (its request failed), so that a retry is served afresh. */
  releaseIdempotencyKey(key: string, token: string): Promise<void>;
  getIdempotencyKey(key: string): Promise<IdempotencyRecord | null>;
  /** Forgets keys that expired at or before `now`. */
  pruneIdempotencyKeys(now: Date): Promise<number>;
}
