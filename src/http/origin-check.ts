import type { Request } from 'express';

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
