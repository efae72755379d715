// @ts-check
import { api, qs } from './api.js';
import { OPERATIONS } from './operations.js';

/** @typedef {import('./operations.js').OperationName} OperationName */

/**
 * The URL of an operation: its path with each `:name` parameter filled in, and its query. A query
 * name the operation does not declare is a mistake in the console (the service would refuse it
 * with 400), so it throws before any request.
 * @param {OperationName} name
 * @param {Record<string, string>} [params]
 * @param {Record<string, unknown>} [query]
 */
export function operationUrl(name, params = {}, query = {}) {
  const op = OPERATIONS[name];
  const path = op.path.replace(/:([A-Za-z0-9_]+)/g, (_, key) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${name}: path parameter ${key} is missing`);
    return encodeURIComponent(value);
  });
  const unknown = Object.keys(query).filter((k) => !(/** @type {readonly string[]} */ (op.query)).includes(k));
  if (unknown.length) throw new Error(`${name} takes no query parameter ${unknown.join(', ')}`);
  return `${path}${qs(query)}`;
}

/**
 * Calls an operation of the service by name (its operationId): method, path and query names come
 * from the service's own route declarations (`/console/js/operations.js`), so the console cannot
 * call a path or send a query parameter the service does not have.
 * @param {OperationName} name
 * @param {{ params?: Record<string, string>, query?: Record<string, unknown>, body?: unknown, headers?: Record<string, string> }} [input]
 */
export function call(name, { params, query, body, headers } = {}) {
  return api(OPERATIONS[name].method, operationUrl(name, params, query), { body, headers, signingIn: SESSION.has(name) });
}

/** The sign-in operations: their 401 is an answer, not a session that ended. */
const SESSION = new Set(['getSession', 'signIn', 'signOut']);
