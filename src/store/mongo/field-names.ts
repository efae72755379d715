/**
 * Free-form maps (snapshot metrics, action params, strategy details) may have keys such as
 * `gpu.util` or `$ref`; FerretDB refuses to store keys containing "." or starting with "$", and
 * MongoDB treats them specially in queries. So every key is escaped on the way in and restored on
 * the way out: "%" → "%25", "." → "%2E", a leading "$" → "%24", NUL → "%00". Keys of the domain
 * types never contain these characters, so the fields queries filter on keep their names.
 */
const NEEDS_ESCAPE = /[%.\u0000]|^\$/;

export function escapeFieldName(key: string): string {
  if (!NEEDS_ESCAPE.test(key)) return key;
  return key
    .replace(/%/g, '%25')
    .replace(/\./g, '%2E')
    .replace(/\u0000/g, '%00')
    .replace(/^\$/, '%24');
}

export function unescapeFieldName(key: string): string {
  if (!key.includes('%')) return key;
  return key.replace(/%(25|2E|00|24)/g, (_m, code: string) => String.fromCharCode(parseInt(code, 16)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep copy with escaped keys; Dates and other non-plain values pass through untouched. */
export function escapeFieldNames<T>(value: T): T {
  return mapKeys(value, escapeFieldName) as T;
}

/** The inverse of escapeFieldNames. */
export function unescapeFieldNames<T>(value: T): T {
  return mapKeys(value, unescapeFieldName) as T;
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (!isPlainObject(value)) return value;
  // Object.fromEntries defines own properties, so a key named "__proto__" stays data.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), mapKeys(v, rename)]));
}
