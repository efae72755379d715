import type { IRouter, RequestHandler } from 'express';
import type { RouteParameters } from 'express-serve-static-core';
import type { Access, HttpMethod } from './access-policy';

export interface RouteSpec {
  method: HttpMethod;
  /** Express-style path; `:name` segments match one path segment. */
  path: string;
  access: Access;
}

/**
 * Every route the service serves, once: the routers mount their handlers by these names
 * (`handle`), the access policy is this table, and the OpenAPI document describes each entry under
 * its name as the operationId (the type system refuses an undocumented one). More specific paths
 * come before the general ones they overlap with.
 */
export const ROUTES = {
  getOpenApiDocument: { method: 'GET', path: '/api/openapi.json', access: 'public' },
  n8nWebhook: { method: 'POST', path: '/api/webhooks/n8n', access: 'webhook' },
  // The console's session: who am I and sign out are harmless without one; sign-in checks the key in its body.
  getSession: { method: 'GET', path: '/api/session', access: 'public' },
  signIn: { method: 'POST', path: '/api/session', access: 'webhook' },
  signOut: { method: 'DELETE', path: '/api/session', access: 'public' },
  streamEvents: { method: 'GET', path: '/api/events', access: 'viewer' },


  ingestSnapshot: { method: 'POST', path: '/api/metrics', access: 'operator' },
  ingestSnapshotBatch: { method: 'POST', path: '/api/metrics/batch', access: 'operator' },
  alertmanagerWebhook: { method: 'POST', path: '/api/webhooks/alertmanager', access: 'operator' },
  // Any key will do: Prometheus' scrape config sends one with `authorization`.
  prometheusMetrics: { method: 'GET', path: '/metrics', access: 'viewer' },








} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

const MOUNT = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const;

/** Mounts `handlers` (a route's own middleware, then the handler) on a route of the table, with the table's method and path. */
export function handle<Id extends RouteId>(
  router: IRouter,
  id: Id,
  ...handlers: RequestHandler<RouteParameters<(typeof ROUTES)[Id]['path']>>[]
): void {
  const route: RouteSpec = ROUTES[id];
  router[MOUNT[route.method]](route.path, ...(handlers as RequestHandler[]));
}
