import type { NextFunction, Request, Response } from 'express';
import { isRole } from './access-policy';
import type { Principal } from './api-keys';
import { readCookie, SESSION_COOKIE } from './session-cookie';

/** The signed-in console user of this request (from the session cookie), or null. */
export function sessionPrincipalOf(res: Response): Principal | null {
  return (res.locals.sessionPrincipal as Principal | undefined) ?? null;
}

export function sessionExpiryOf(res: Response): Date | null {
  return (res.locals.sessionExpiresAt as Date | undefined) ?? null;
}

/** What the middleware needs of the session service (src/sessions), which lives above http. */
export interface SessionResolver {
  resolve(token: string): Promise<{ principal: { name: string; role: string }; expiresAt: Date } | null>;
}

/**
 * Resolves the session cookie (when keys are configured) before access control, which then accepts
 * it in place of a Bearer key. An unknown, expired or ended session is simply no session.
 */
export function sessionAuth(deps: { sessions: SessionResolver; keysConfigured: () => boolean }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!deps.keysConfigured()) return next();
    const token = readCookie(req, SESSION_COOKIE);
    if (token === null || token === '') return next();
    try {
      const session = await deps.sessions.resolve(token);
      if (session && isRole(session.principal.role)) {
        res.locals.sessionPrincipal = { name: session.principal.name, role: session.principal.role } satisfies Principal;
        res.locals.sessionExpiresAt = session.expiresAt;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
