import type { Request, Response } from 'express';
import type { Clock } from '../clock';
import { type AuthConfig, perInstanceLimit } from '../config/sections/auth';
import { TooManyRequestsError } from '../errors';
import { RateLimiter } from './rate-limiter';

/**
 * The one failed-authentication counter of the app, per client address: every way a key or a
 * session cookie is checked (Bearer on any route, `GET /api/session`, console sign-in) takes from it
 * and obeys it. A failed guess names no key, so the address is what a guesser cannot shed; while it
 * is locked out nothing is checked for it, the right key included, so the answer never tells a
 * guesser when it hit.
 */
export class AuthFailures {
  private readonly limiter: RateLimiter;

  constructor(auth: AuthConfig, clock: Clock) {
    this.limiter = new RateLimiter(perInstanceLimit(auth.rateLimit.authFailuresPerMinute, auth.rateLimit.instances), clock);
  }

  /** Throws 429 (and sets Retry-After) while this request's address is locked out. */
  refuseIfLockedOut(req: Request, res: Response): void {
    const blocked = this.limiter.check(clientAddress(req));
    if (blocked.allowed) return;
    res.setHeader('Retry-After', String(blocked.retryAfterSeconds));
    throw new TooManyRequestsError(
      `too many failed authentication attempts from this address; retry in ${blocked.retryAfterSeconds} s`,
      blocked.retryAfterSeconds,
    );
  }

  record(req: Request): void {
    this.limiter.take(clientAddress(req));
  }
}

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
