import { type Request, type Response, Router } from 'express';
import { ConflictError, ForbiddenError, UnauthorizedError } from '../src/errors';
import { clientAddress } from '../src/http/access-control';
import { isForeignOrigin } from '../src/http/origin-check';
import { sessionExpiryOf, sessionPrincipalOf } from '../src/http/session-auth';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../src/http/session-cookie';
import { parseBody } from '../src/http/validate';
import { CONSOLE_SCHEMA_IDS, sessionInfoSchema, sessionRequestSchema, signOutResultSchema } from '../src/schemas/console-schemas';
import type { AppConfig } from '../src/config/schema';
import type { ApiKeyring } from '../src/http/api-keys';
import type { AuthFailures } from '../src/http/auth-failures';
import type { Logger } from '../src/logging/logger';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { SessionService } from '../src/sessions/session-service';
import { declareRoutes, mount, type ReplyOf } from '../src/http/route-declaration';
import { isRole } from '../src/http/access-policy';

export const SESSION_ROUTES = declareRoutes({
  getSession: {
    method: 'GET',
    path: '/api/session',
    access: 'public',
    tag: 'console',
    summary: 'Who the caller is (open mode, console session, or API key) and its role',
    description: 'The console shows only the actions this role may take.',
    responses: [{ status: 200, description: 'The caller.', schema: sessionInfoSchema }],
  },
  signIn: {
    method: 'POST',
    path: '/api/session',
    access: 'webhook',
    tag: 'console',
    summary: 'Sign in to the console with an API key: sets the session cookie',
    description:
      'Sets `shre_session` (HttpOnly, SameSite=Strict, Path=/, Max-Age = console.sessionTtlMinutes; Secure when console.secureCookie). ' +
      'The API then accepts the cookie in place of a Bearer key, with the key\'s role; every write made with it must carry the console\'s own Origin.',
    body: { schema: sessionRequestSchema, required: true },
    responses: [{ status: 200, description: 'Signed in.', schema: sessionInfoSchema }],
    errors: [
      { status: 401, description: 'The API key is not valid.' },
      { status: 409, description: '`sign_in_not_needed`: no keys are configured, the console is open.' },
      { status: 429, description: 'Too many failed authentications from this address (any route, any way a key is checked); see Retry-After.' },
    ],
  },
  signOut: {
    method: 'DELETE',
    path: '/api/session',
    access: 'public',
    tag: 'console',
    summary: 'Sign out: ends the session on every instance and clears the cookie',
    responses: [{ status: 200, description: 'Signed out.', schema: signOutResultSchema }],
  },
});

export interface SessionRouterDeps {
  sessions: Pick<SessionService, 'open' | 'end'>;
  keyring: Pick<ApiKeyring, 'size' | 'verify'>;
  config: Pick<AppConfig, 'auth' | 'console'>;
  schemas: SchemaRegistry;
  clock: { now(): Date };
  logger: Logger;
  /** The app's one failed-authentication counter (src/http/auth-failures.ts). */
  failures: Pick<AuthFailures, 'refuseIfLockedOut' | 'record'>;
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/**
 * The console's sign-in: trade an API key for a session cookie, ask who you are, sign out. Sign-in
 * authenticates its caller itself (by the key in the body), so it sits outside API-key access control.
 */
export function createSessionRouter({ sessions, keyring, config, schemas, clock, logger, failures }: SessionRouterDeps): Router {
  const router = Router();
  const secure = config.console.secureCookie;

  // Sign-in and sign-out are not made with the cookie's authority, so only a page of another site is refused
  // (it could sign a victim's browser in as the attacker); clients without an Origin (curl) may sign in.
  const refuseCrossOrigin = (req: Request): void => {
    if (isForeignOrigin(req, config.console.allowedOrigins)) {
      throw new ForbiddenError(`${req.method} ${req.path} must come from the console's own origin (got ${req.get('origin') ?? 'no Origin header'})`, { origin: req.get('origin') ?? null }, 'cross_origin');
    }
  };

  const who = (req: Request, res: Response): ReplyOf<typeof SESSION_ROUTES.getSession> => {
    if (keyring.size === 0) return { open: true, signedIn: false, via: 'open', name: null, role: 'admin', expiresAt: null };
    const header = req.get('authorization');
    const signedIn = sessionPrincipalOf(res);
    // Whoever presents a key or a cookie here is checked like anywhere else: not while locked out,
    // and a wrong key counts, so this route is no oracle for guessing keys.
    if (signedIn || (header !== undefined && header.trim() !== '') || readCookie(req, SESSION_COOKIE) !== null) failures.refuseIfLockedOut(req, res);
    if (signedIn) return { open: false, signedIn: true, via: 'session', name: signedIn.name, role: signedIn.role, expiresAt: sessionExpiryOf(res)?.toISOString() ?? null };
    if (header !== undefined && header.trim() !== '') {
      const presented = BEARER.exec(header)?.[1];
      const key = presented ? keyring.verify(presented) : null;
      if (key) return { open: false, signedIn: false, via: 'key', name: key.name, role: key.role, expiresAt: null };
      failures.record(req);
      logger.warn('authentication failed', { address: clientAddress(req), method: req.method, path: req.path, reason: 'the API key is not valid' });
    }
    return { open: false, signedIn: false, via: null, name: null, role: null, expiresAt: null };
  };

  mount(router, SESSION_ROUTES.getSession, (req, res) => {
    res.set('Cache-Control', 'no-store').json(who(req, res));
  });

  mount(router, SESSION_ROUTES.signIn, async (req, res) => {
    refuseCrossOrigin(req);
    if (keyring.size === 0) {
      throw new ConflictError('no API keys are configured: the console is open without signing in (loopback only)', {}, 'sign_in_not_needed');
    }
    failures.refuseIfLockedOut(req, res);
    const { apiKey } = parseBody<{ apiKey: string }>(schemas, CONSOLE_SCHEMA_IDS.sessionRequest, req.body);
    const opened = await sessions.open(apiKey);
    if (!opened) {
      failures.record(req);
      logger.warn('console sign-in failed', { address: clientAddress(req) });
      throw new UnauthorizedError('the API key is not valid');
    }
    res.setHeader('Set-Cookie', sessionCookie(opened.token, opened.expiresAt, clock.now(), secure));
    res.set('Cache-Control', 'no-store').json({
      open: false,
      signedIn: true,
      via: 'session',
      name: opened.principal.name,
      // The keyring holds only roles; the session service keeps them as plain strings.
      role: isRole(opened.principal.role) ? opened.principal.role : null,
      expiresAt: opened.expiresAt.toISOString(),
    });
  });

  mount(router, SESSION_ROUTES.signOut, async (req, res) => {
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
