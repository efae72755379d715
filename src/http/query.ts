import { fullFormats } from 'ajv-formats/dist/formats';
import { isDateTime, parseDateTime } from '../domain/date-time';
import { decodeCursor } from '../domain/cursor';
import { ValidationError, type ProblemDetail } from '../errors';

/**
 * Reads a route's query from its declared parameters, strictly: the schema each parameter declares
 * (the one the OpenAPI document shows) is the check, so a handler cannot read a value differently
 * from what the document advertises. Unknown names, repeated values and every bad value are
 * reported together as one 400.
 */

/** A query parameter as declared (route-declaration.ts ParameterSpec, the query ones). */
export interface QueryParameter {
  readonly name: string;
  readonly required?: boolean;
  /** `form` with `explode: false`: a comma-separated list (`?status=failed,expired`). */
  readonly style?: 'form';
  readonly explode?: boolean;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** The schema keywords this reader checks; a declaration using any other is refused at start. */
const KEYWORDS = new Set(['type', 'enum', 'pattern', 'minLength', 'maxLength', 'format', 'minimum', 'maximum', 'default', 'items', 'maxItems']);

/**
 * The formats a query value may declare: the two of ajv-formats the service uses, with the
 * service's own date-time (src/domain/date-time.ts, as the JSON Schemas use it), and `cursor`,
 * a `nextCursor` this service issued.
 */
const FORMATS: Record<string, { test: (raw: string) => boolean; message?: string }> = {
  'date-time': { test: isDateTime, message: 'must be an RFC 3339 date-time that exists (2026-03-01T10:00:00Z; no leap second, no February 30)' },
  uuid: { test: (raw) => (fullFormats.uuid as RegExp).test(raw) },
  cursor: { test: (raw) => decodeCursor(raw) !== null, message: 'is not a cursor this service issued' },
};

/** Without a declared maxLength, values are bounded anyway so that none is matched or echoed at any length. */
const DEFAULT_MAX_LENGTH = 200;
const DEFAULT_MAX_LIST_LENGTH = 500;

type Read = { ok: true; value: unknown } | { ok: false; message: string };

interface ParameterReader {
  readonly name: string;
  readonly required: boolean;
  /** The value when the parameter is absent (the declared default, read as a given one would be). */
  readonly absent: unknown;
  read(raw: string): Read;
}

const codePoints = (s: string) => [...s].length;
const invalid = (raw: string): Read => ({ ok: false, message: `is not a valid value: ${JSON.stringify(raw.slice(0, 100))}` });

/** An empty value is refused whatever the schema says (the query contract test shows every declaration refuses it too). */
function stringChecks(name: string, schema: Readonly<Record<string, unknown>>): (raw: string) => Read | null {
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (schema.format !== undefined && !format) throw new Error(`query parameter ${name}: format ${String(schema.format)} is not one the query reader knows`);
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 1;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : DEFAULT_MAX_LENGTH;
  return (raw) => {
    const length = codePoints(raw);
    if (raw.length === 0 || length < minLength || length > maxLength || (pattern && !pattern.test(raw))) return invalid(raw);
    if (format && !format.test(raw)) return format.message ? { ok: false, message: format.message } : invalid(raw);
    return null;
  };
}

function enumOf(name: string, schema: unknown): readonly string[] {
  const values = (schema as { enum?: unknown }).enum;
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new Error(`query parameter ${name}: enum must list strings`);
  return values as string[];
}

function readerOf(p: QueryParameter): Omit<ParameterReader, 'absent'> {
  const { name, schema } = p;
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword)) throw new Error(`query parameter ${name}: the query reader does not check "${keyword}"`);
  }
  const required = p.required ?? false;
  if (schema.type === 'array') {
    if (p.style !== 'form' || p.explode !== false) throw new Error(`query parameter ${name}: a list is declared style form, explode false (comma-separated)`);
    const allowed = enumOf(name, schema.items);
    const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    return {
      name,
      required,
      read(raw) {
        if (raw.length === 0 || raw.length > DEFAULT_MAX_LIST_LENGTH) return invalid(raw);
        const values = raw.split(',');
        const bad = values.filter((v) => !allowed.includes(v));
        if (bad.length > 0) return { ok: false, message: `must be among ${allowed.join(', ')} (got ${bad.join(', ')})` };
        if (values.length > maxItems) return invalid(raw);
        return { ok: true, value: values };
      },
    };
  }
  if (schema.enum !== undefined) {
    const allowed = enumOf(name, schema);
    const boolean = allowed.length === 2 && allowed.includes('true') && allowed.includes('false');
    return {
      name,
      required,
      read(raw) {
        if (raw.length === 0 || raw.length > DEFAULT_MAX_LENGTH) return invalid(raw);
        if (!allowed.includes(raw)) return { ok: false, message: `must be one of ${allowed.join(', ')}` };
        return { ok: true, value: boolean ? raw === 'true' : raw };
      },
    };
  }
  if (schema.type === 'integer') {
    const { minimum: min, maximum: max } = schema;
    // Digits only: the bounds keep a refused sign or fraction from being one the schema accepts.
    if (typeof min !== 'number' || min < 0 || typeof max !== 'number') throw new Error(`query parameter ${name}: an integer declares its minimum (0 or more) and maximum`);
    return {
      name,
      required,
      read(raw) {
        if (!/^\d{1,200}$/.test(raw)) return invalid(raw);
        const n = Number(raw);
        return n < min || n > max ? { ok: false, message: `must be between ${min} and ${max}` } : { ok: true, value: n };
      },
    };
  }
  if (schema.type !== 'string') throw new Error(`query parameter ${name}: declare type string, integer or array, or an enum`);
  const check = stringChecks(name, schema);
  const date = schema.format === 'date-time';
  return { name, required, read: (raw) => check(raw) ?? { ok: true, value: date ? parseDateTime(raw) : raw } };
}

function compile(parameters: readonly QueryParameter[]): ParameterReader[] {
  return parameters.map((p) => {
    const reader = readerOf(p);
    if (p.schema.default === undefined) return { ...reader, absent: undefined };
    const read = reader.read(String(p.schema.default));
    if (!read.ok) throw new Error(`query parameter ${p.name}: the default ${JSON.stringify(p.schema.default)} ${read.message}`);
    return { ...reader, absent: read.value };
  });
}

const compiled = new WeakMap<readonly QueryParameter[], ParameterReader[]>();

/**
 * The readers of a route's declared query parameters, compiled once. Compiling refuses a schema
 * keyword or format the reader does not check, and a default its own schema refuses: the app
 * compiles every route's at start (refuseUndeclaredQuery), so such a declaration never serves.
 */
export function queryReaderOf(parameters: readonly QueryParameter[]): ParameterReader[] {
  let readers = compiled.get(parameters);
  if (!readers) {
    readers = compile(parameters);
    compiled.set(parameters, readers);
  }
  return readers;
}

/** The declared parameters' values (defaults filled in; an absent one has no key), or one 400 naming every problem. */
export function readDeclaredQuery(parameters: readonly QueryParameter[], query: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const readers = queryReaderOf(parameters);
  const problems: ProblemDetail[] = [];
  for (const name of Object.keys(query)) {
    if (!readers.some((r) => r.name === name)) problems.push({ pointer: `/query/${name}`, message: 'is not a known parameter' });
  }
  const values: Record<string, unknown> = {};
  for (const reader of readers) {
    const raw = query[reader.name];
    const pointer = `/query/${reader.name}`;
    if (raw === undefined) {
      if (reader.required) problems.push({ pointer, message: 'is required' });
      else if (reader.absent !== undefined) values[reader.name] = reader.absent;
    } else if (typeof raw !== 'string') {
      problems.push({ pointer, message: 'must be given once, as a plain value' });
    } else {
      const read = reader.read(raw);
      if (read.ok) values[reader.name] = read.value;
      else problems.push({ pointer, message: read.message });
    }
  }
  if (problems.length > 0) throw new ValidationError('query parameters are invalid', problems);
  return values;
}
