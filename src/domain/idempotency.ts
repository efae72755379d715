/** The reply a request with an Idempotency-Key got: sent again, unchanged, to a retry with that key. */
export interface IdempotentReply {
  status: number;
  /** The reply body, as the JSON text that was sent. */
  json: string;
}

/**
 * One Idempotency-Key as the store keeps it. `reply` is null while the first request with the key is
 * still being answered; `token` names that attempt, so only it can complete or give up the claim.
 */
export interface IdempotencyRecord {
  key: string;
  /** What the request was (operation, query, body), hashed: a same key with another request is refused. */
  fingerprint: string;
  token: string;
  claimedAt: Date;
  expiresAt: Date;
  reply: IdempotentReply | null;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; record: IdempotencyRecord };
