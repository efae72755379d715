import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../errors';
import type { Logger } from '../logging/logger';

/**
 * Whether a cookie-carrying write comes from the console's own pages. Browsers send Origin on every
 * cross-site write, and on same-origin fetch writes; a missing Origin is accepted only when the
 * browser says the request is same-origin (Sec-Fetch-Site). Another site's page can make the browser
 * send the cookie with a form post (SameSite=Strict stops most, not subdomain siblings): this stops the rest.
 */
export function isSameOrigin(req: Request, allowedOrigins: readonly string[]): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return req.get('sec-fetch-site') === 'same-origin';
  if (allowedOrigins.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host !== '' && host.toLowerCase() === (req.get('host') ?? '').toLowerCase();
}

/** An Origin header naming another site (a request without one is not foreign: curl, scripts). */
export function isForeignOrigin(req: Request, allowedOrigins: readonly string[]): boolean {
  return req.get('origin') !== undefined && !isSameOrigin(req, allowedOrigins);
}

export function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}

/**
 * The body types a page of any site can make a browser send without asking first (the CORS
 * "simple" types). Any other type makes the browser send a preflight OPTIONS, which this service
 * never grants (it sends no Access-Control-Allow-* headers), so the write itself never leaves it.
 */
const BROWSER_SIMPLE_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Why a write could have been sent by another site's page, or null when it could not. Browsers send
 * Origin on every cross-site write (and Sec-Fetch-Site on modern ones), so a write with neither is
 * not from a browser (curl, n8n, Alertmanager, the CLI) and passes, with or without a body.
 */
export function crossSiteWriteReason(req: Request, allowedOrigins: readonly string[]): string | null {
  if (!isWrite(req.method)) return null;
  const origin = req.get('origin');
  if (origin !== undefined) {
    if (!isSameOrigin(req, allowedOrigins)) return `the Origin ${JSON.stringify(origin)} is not this service's own nor one of console.allowedOrigins`;
  } else {
    const site = req.get('sec-fetch-site')?.trim().toLowerCase();
    if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site} without an allowed Origin`;
  }
  const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && BROWSER_SIMPLE_TYPES.has(type)) {
    return `Content-Type ${type} is what a page of any site can send; send application/json`;
  }
  return null;
}

/** Refuses, in every mode and before any key is looked at, a write another site's page could have sent. */
export function crossSiteWriteGuard(deps: { allowedOrigins: readonly string[]; logger: Logger }) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const reason = crossSiteWriteReason(req, deps.allowedOrigins);
    if (reason === null) return next();
    deps.logger.warn('cross-site write refused', { method: req.method, path: req.path, origin: req.get('origin') ?? null, reason });
    next(new ForbiddenError(`${req.method} ${req.path} refused: ${reason}`, { origin: req.get('origin') ?? null }, 'cross_origin'));
  };
}
