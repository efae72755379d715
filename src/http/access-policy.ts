/**
 * Who may call what: the access each declared route needs (./route-declaration.ts), read as a policy
 * that every request is checked against (src/http/access-control.ts).
 */

/** Each role includes every role before it. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * `public`: no key, ever (liveness, readiness, the API description).
 * `webhook`: not behind API keys; the route authenticates its caller itself (n8n's HMAC or token; the
 * console's sign-in, by the key in its body).
 */
export type Access = Role | 'public' | 'webhook';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AccessRule {
  method: HttpMethod;
  /** Express-style path; `:name` segments match one path segment. */
  path: string;
  access: Access;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleIncludes(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/**
 * Mirrors how express 5 matches routes (case-insensitive, an optional trailing slash, a parameter
 * is one non-empty segment), so a request cannot reach a handler by a spelling the table misses.
 */
export function compilePath(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

export interface AccessPolicy {
  /** The access a request needs, or null for a path no route serves (left to the 404 handler). */
  accessFor(method: string, path: string): Access | null;
}

/**
 * The entry whose method and path match a request, the way express would route it: a path spelled
 * out (/rules/history) before a parameter that would also match it (/rules/:name), so the order of
 * the entries does not matter.
 */
export function createRouteMatcher<T extends { method: HttpMethod; path: string }>(entries: readonly T[]) {
  const params = (path: string) => path.split('/').filter((segment) => segment.startsWith(':')).length;
  const compiled = entries
    .map((entry) => ({ entry, pattern: compilePath(entry.path), params: params(entry.path) }))
    .sort((a, b) => a.params - b.params);
  return (method: string, path: string): T | null => {
    // Express answers HEAD with the GET handler, so HEAD needs what GET needs.
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return compiled.find((c) => c.entry.method === m && c.pattern.test(path))?.entry ?? null;
  };
}

export function createAccessPolicy(rules: readonly AccessRule[]): AccessPolicy {
  const match = createRouteMatcher(rules);
  return { accessFor: (method, path) => match(method, path)?.access ?? null };
}
