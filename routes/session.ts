import { type Request, type Response, Router } from 'express';
import { ConflictError, ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../src/errors';
import { clientAddress } from '../src/http/access-control';
import { isForeignOrigin } from '../src/http/origin-check';
import { QueryReader } from '../src/http/query';
import { RateLimiter } from '../src/http/rate-limiter';
import { sessionExpiryOf, sessionPrincipalOf } from '../src/http/session-auth';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../src/http/session-cookie';
import { parseBody } from '../src/http/validate';
import { CONSOLE_SCHEMA_IDS } from '../src/schemas/console-schemas';
import type { AppConfig } from '../src/config/schema';
import type { ApiKeyring } from '../src/http/api-keys';
import { handle } from '../src/http/route-table';
import type { Logger } from '../src/logging/logger';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { SessionService } from '../src/sessions/session-service';

export interface SessionRouterDeps {
  sessions: Pick<SessionService, 'open' | 'end'>;
  keyring: Pick<ApiKeyring, 'size' | 'verify'>;
  config: Pick<AppConfig, 'auth' | 'console'>;
  schemas: SchemaRegistry;
  clock: { now(): Date };
  logger: Logger;
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * The console's sign-in: trade an API key for a session cookie, ask who you are, sign out. Sign-in
 * authenticates its caller itself (by the key in the body), so it sits outside API-key access control.
 */
export function createSessionRouter({ sessions, keyring, config, schemas, clock, logger }: SessionRouterDeps): Router {
  const router = Router();
  const failures = new RateLimiter(config.auth.rateLimit.authFailuresPerMinute, clock);
  const secure = config.console.secureCookie;

  // Sign-in and sign-out are not made with the cookie's authority, so only a page of another site is refused
  // (it could sign a victim's browser in as the attacker); clients without an Origin (curl) may sign in.
  const refuseCrossOrigin = (req: Request): void => {
    if (isForeignOrigin(req, config.console.allowedOrigins)) {
      throw new ForbiddenError(`${req.method} ${req.path} must come from the console's own origin (got ${req.get('origin') ?? 'no Origin header'})`, { origin: req.get('origin') ?? null }, 'cross_origin');
    }
  };

  const who = (req: Request, res: Response) => {
    if (keyring.size === 0) return { open: true, signedIn: false, via: 'open', name: null, role: 'admin', expiresAt: null };
    const signedIn = sessionPrincipalOf(res);
    if (signedIn) return { open: false, signedIn: true, via: 'session', name: signedIn.name, role: signedIn.role, expiresAt: sessionExpiryOf(res)?.toISOString() ?? null };
    const presented = BEARER.exec(req.get('authorization') ?? '')?.[1];
    const key = presented ? keyring.verify(presented) : null;
    if (key) return { open: false, signedIn: false, via: 'key', name: key.name, role: key.role, expiresAt: null };
    return { open: false, signedIn: false, via: null, name: null, role: null, expiresAt: null };
  };

  handle(router, 'getSession', (req, res) => {
    new QueryReader(req, []).done();
    res.set('Cache-Control', 'no-store').json(who(req, res));
  });

  handle(router, 'signIn', async (req, res) => {
    new QueryReader(req, []).done();
    refuseCrossOrigin(req);
    if (keyring.size === 0) {
      throw new ConflictError('no API keys are configured: the console is open without signing in (loopback only)', {}, 'sign_in_not_needed');
    }
    const address = clientAddress(req);
    const blocked = failures.check(address);
    if (!blocked.allowed) {
      res.setHeader('Retry-After', String(blocked.retryAfterSeconds));
      throw new TooManyRequestsError(`too many failed sign-ins from this address; retry in ${blocked.retryAfterSeconds} s`, blocked.retryAfterSeconds);
    }
    const { apiKey } = parseBody<{ apiKey: string }>(schemas, CONSOLE_SCHEMA_IDS.sessionRequest, req.body);
    const opened = await sessions.open(apiKey);
    if (!opened) {
      failures.take(address);
      logger.warn('console sign-in failed', { address });
      throw new UnauthorizedError('the API key is not valid');
    }
    res.setHeader('Set-Cookie', sessionCookie(opened.token, opened.expiresAt, clock.now(), secure));
    res.set('Cache-Control', 'no-store').json({
      open: false,
      signedIn: true,
      via: 'session',
      name: opened.principal.name,
      role: opened.principal.role,
      expiresAt: opened.expiresAt.toISOString(),
    });
  });

  handle(router, 'signOut', async (req, res) => {
    new QueryReader(req, []).done();
    const token = readCookie(req, SESSION_COOKIE);
    let ended = false;
    if (token) {
      refuseCrossOrigin(req);
      ended = await sessions.end(token);
      if (ended) logger.info('console session ended', { key: sessionPrincipalOf(res)?.name ?? null });
    }
    res.setHeader('Set-Cookie', clearedSessionCookie(secure));
    res.set('Cache-Control', 'no-store').json({ signedIn: false, ended });
  });

  return router;
}
