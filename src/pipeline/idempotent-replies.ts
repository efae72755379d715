import crypto from 'node:crypto';
import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { IdempotentReply } from '../domain/idempotency';
import { AppError, ConflictError } from '../errors';
import type { Store } from '../store/store';

/** How often a request whose key is being answered by another request looks again. */
const POLL_MS = 25;

export interface IdempotentRepliesDeps {
  store: Store;
  clock: Clock;
  config: Pick<AppConfig, 'snapshots'>;
}

/** The same Idempotency-Key with a different request: the first one's reply would not answer it. */
export class IdempotencyKeyReusedError extends AppError {
  constructor(key: string) {
    super(
      422,
      'idempotency_key_reused',
      `Idempotency-Key "${key}" was used for a different request (another body, query or route); a retry must send the same request, a new request needs a new key`,
      [{ pointer: '/headers/idempotency-key', message: 'already used for a different request' }],
    );
  }
}

/** What identifies a request for its key: the operation, the query string and the body, hashed. */
export function requestFingerprint(operation: string, query: string, body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return crypto.createHash('sha256').update(`${operation}\n${query}\n${text}`).digest('hex');
}

/**
 * Answers a request with an Idempotency-Key once: the first request runs and its successful reply
 * is kept in the store for `snapshots.idempotency.ttlMinutes`; a retry with the key (on any instance)
 * gets that reply again without running anything. A request that arrives while the first is still
 * running waits for its reply. A failed first request (an error reply, an exception) keeps nothing, so
 * the retry runs afresh. A claim never answered for `inProgressTimeoutMs` (its process died) is taken
 * over by the next request with the key.
 */
export class IdempotentReplies {
  constructor(private readonly deps: IdempotentRepliesDeps) {}

  /** `caller` (an API key's name, or null) scopes the key: one caller's key never answers another's request. */
  async once(
    { key: shown, caller }: { key: string; caller: string | null },
    fingerprint: string,
    produce: () => Promise<IdempotentReply>,
  ): Promise<{ reply: IdempotentReply; replayed: boolean }> {
    const key = caller === null ? `-:${shown}` : `${caller.length}:${caller}:${shown}`;
    const { ttlMinutes, inProgressTimeoutMs } = this.deps.config.snapshots.idempotency;
    const waitUntil = Date.now() + inProgressTimeoutMs + 1000;
    for (;;) {
      const now = this.deps.clock.now();
      const token = crypto.randomUUID();
      const claim = await this.deps.store.idempotency.claimIdempotencyKey(
        { key, fingerprint, token, claimedAt: now, expiresAt: new Date(now.getTime() + ttlMinutes * 60_000) },
        now,
        new Date(now.getTime() - inProgressTimeoutMs),
      );
      if (claim.claimed) return { reply: await this.run(key, token, produce), replayed: false };
      if (claim.record.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(shown);
      if (claim.record.reply) return { reply: claim.record.reply, replayed: true };
      if (Date.now() > waitUntil) {
        throw new ConflictError(`a request with Idempotency-Key "${shown}" is still being answered; try again later`, {}, 'idempotency_key_in_progress');
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async run(key: string, token: string, produce: () => Promise<IdempotentReply>): Promise<IdempotentReply> {
    let reply: IdempotentReply;
    try {
      reply = await produce();
    } catch (err) {
      await this.deps.store.idempotency.releaseIdempotencyKey(key, token).catch(() => undefined);
      throw err;
    }
    if (reply.status >= 200 && reply.status < 300) await this.deps.store.idempotency.completeIdempotencyKey(key, token, reply);
    else await this.deps.store.idempotency.releaseIdempotencyKey(key, token);
    return reply;
  }

  /** Forgets keys whose time is up (a periodic job). */
  prune(): Promise<number> {
    return this.deps.store.idempotency.pruneIdempotencyKeys(this.deps.clock.now());
  }
}
