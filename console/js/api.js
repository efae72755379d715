// @ts-check
/** The console speaks to the same REST API as any client; the session cookie goes along by itself. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Record<string, any> | null} problem the application/problem+json body
   * @param {Headers} headers
   */
  constructor(status, problem, headers) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    /** @type {Record<string, any>} */
    this.problem = problem ?? {};
    this.headers = headers;
  }

  /** The service's stable problem code (vocabulary.js PROBLEM_CODES). @returns {string | undefined} */
  get code() {
    return this.problem.code;
  }
}

let onUnauthorized = () => undefined;
/** @param {() => undefined} fn */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string>, signingIn?: boolean }} [options] `signingIn`:
 *   a 401 is the answer (a wrong key, no session yet), not a session that ended
 * @returns {Promise<{ data: any, headers: Headers, status: number }>}
 */
export async function api(method, path, { body, headers = {}, signingIn = false } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: 'application/json', ...headers };
  // Every write says JSON, with a body or without: the service refuses a write in any other type,
  // as a browser's cross-site form post would send it.
  if (method !== 'GET' && method !== 'HEAD') sent['Content-Type'] = 'application/json';
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: sent };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (!res.ok) {
    if (res.status === 401 && !signingIn) onUnauthorized();
    throw new ApiError(res.status, data, res.headers);
  }
  return { data, headers: res.headers, status: res.status };
}

/**
 * Query string from an object, skipping empty values.
 * @param {Record<string, unknown>} params
 */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
