import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../clock';
import { type AuthConfig, perInstanceLimit } from '../config/sections/auth';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../errors';
import type { Logger } from '../logging/logger';
import { type AccessPolicy, createRouteMatcher, roleIncludes } from './access-policy';
import type { ApiKeyring, Principal } from './api-keys';
import { isSameOrigin, isWrite } from './origin-check';
import { type AuthFailures, clientAddress } from './auth-failures';
import { RateLimiter } from './rate-limiter';
import { sessionPrincipalOf } from './session-auth';
import type { RouteSpec } from './route-declaration';

const REALM = 'Bearer realm="self-healing"';
const BEARER = /^Bearer +([^\s]+) *$/i;

/** The key that made this request, or null (open loopback mode, public routes, webhooks). */
export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}

/** The name recorded for a person's act: the key's name when there is one, else what they said. */
export function actorName(res: Response, fallback: string): string {
  return principalOf(res)?.name ?? fallback;
}

export { clientAddress };

export interface AccessControlDeps {
  keyring: ApiKeyring;
  policy: AccessPolicy;
  auth: AuthConfig;
  clock: Clock;
  logger: Logger;
  /** Origins besides the request's own host allowed to send cookie-authenticated writes. */
  allowedOrigins: readonly string[];
  /** Shared with the console sign-in and `GET /api/session`, which check keys too. */
  failures: AuthFailures;
}

/**
 * Checks every request against the access policy before its body is even read. With no keys
 * configured (allowed on loopback only, see checkOpenAccess) everything passes.
 */
export function accessControl(deps: AccessControlDeps) {
  const { keyring, policy, logger, failures } = deps;

  const fail = (req: Request, res: Response, message: string, withError: boolean): UnauthorizedError => {
    const address = clientAddress(req);
    failures.record(req);
    logger.warn('authentication failed', { address, method: req.method, path: req.path, reason: message });
    res.setHeader('WWW-Authenticate', withError ? `${REALM}, error="invalid_token"` : REALM);
    return new UnauthorizedError(message);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (keyring.size === 0) return next();
    const access = policy.accessFor(req.method, req.path);
    if (access === null || access === 'public' || access === 'webhook') return next();

    // An address that keeps failing is stopped before its key is looked at: otherwise the 200s
    // among its 429s would still tell a guesser when it hit.
    try {
      failures.refuseIfLockedOut(req, res);
    } catch (err) {
      return next(err);
    }
    const header = req.get('authorization');
    const signedIn = sessionPrincipalOf(res);
    let principal: Principal | null;
    if ((header === undefined || header.trim() === '') && signedIn) {
      // The browser sends the cookie whoever made the page: a write must come from the console's own origin.
      if (isWrite(req.method) && !isSameOrigin(req, deps.allowedOrigins)) {
        logger.warn('cross-origin write with a session cookie refused', { key: signedIn.name, origin: req.get('origin') ?? null, path: req.path });
        return next(
          new ForbiddenError(
            `${req.method} ${req.path} with a console session must come from the console's own origin (got ${req.get('origin') ?? 'no Origin header'})`,
            { origin: req.get('origin') ?? null },
            'cross_origin',
          ),
        );
      }
      principal = signedIn;
    } else {
      if (header === undefined || header.trim() === '') {
        return next(fail(req, res, 'an API key is required: send "Authorization: Bearer <key>"', false));
      }
      const presented = BEARER.exec(header)?.[1];
      if (presented === undefined) {
        return next(fail(req, res, 'the Authorization header must be "Bearer <key>"', true));
      }
      principal = keyring.verify(presented);
      if (!principal) return next(fail(req, res, 'the API key is not valid', true));
    }

    res.locals.principal = principal;
    if (!roleIncludes(principal.role, access)) {
      res.setHeader('WWW-Authenticate', `${REALM}, error="insufficient_scope"`);
      return next(
        new ForbiddenError(
          `${req.method} ${req.path} needs the ${access} role; key "${principal.name}" has ${principal.role}`,
          { requiredRole: access, keyRole: principal.role },
          'insufficient_role',
        ),
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // The audit trail of writes: which key did what, never the key itself.
      const writer = principal;
      res.on('finish', () => {
        logger.info('authorized write', { key: writer.name, role: writer.role, method: req.method, path: req.path, status: res.statusCode });
      });
    }
    next();
  };
}

/**
 * Limits ingest per key (or per address when the service runs open, or for the webhook), on the
 * routes declared `ingestLimited` (snapshots come in there).
 */
export function ingestRateLimit(deps: { routes: readonly RouteSpec[]; auth: AuthConfig; clock: Clock; logger: Logger }) {
  const { rateLimit } = deps.auth;
  const limiter = new RateLimiter(perInstanceLimit(rateLimit.ingestPerMinute, rateLimit.instances), deps.clock);
  const limited = createRouteMatcher(deps.routes.filter((route) => route.ingestLimited));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!limited(req.method, req.path)) return next();
    const principal = principalOf(res);
    const key = principal ? `key:${principal.name}` : `address:${clientAddress(req)}`;
    const decision = limiter.take(key);
    if (decision.allowed) return next();
    deps.logger.warn('ingest rate limit reached', { client: key, path: req.path });
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    next(
      new TooManyRequestsError(
        `more than ${rateLimit.ingestPerMinute} ingest requests a minute${rateLimit.instances > 1 ? ` (across ${rateLimit.instances} instances)` : ''}; retry in ${decision.retryAfterSeconds} s`,
        decision.retryAfterSeconds,
      ),
    );
  };
}
