import fc from 'fast-check';
import type { OpenApiDocument } from '../../src/openapi/build-document';

/** One generated HTTP request. `path` carries the query string. */
export interface FuzzRequest {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  headers: Record<string, string>;
  /** Raw body text (sent as is), or undefined for none. */
  body?: string;
}

interface DocOperation {
  method: FuzzRequest['method'];
  template: string;
  pathParams: string[];
  queryParams: string[];
  /** Top-level property names of the request body schema, when it has them. */
  bodyKeys: string[];
  hasBody: boolean;
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** The operations of the document, with what the generators need to aim at them. */
export function operationsOf(doc: OpenApiDocument): DocOperation[] {
  const out: DocOperation[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops)) {
      const op = raw as {
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content: Record<string, { schema: { $ref: string } }> };
      };
      const params = op.parameters ?? [];
      const ref = op.requestBody?.content['application/json']?.schema.$ref;
      let bodyKeys: string[] = [];
      if (ref) {
        const [, name, pointer] = /^#\/components\/schemas\/([^/]+)(\/.*)?$/.exec(ref) ?? [];
        let schema = doc.components.schemas[name ?? ''] as Record<string, unknown> | undefined;
        for (const token of (pointer ?? '').split('/').filter(Boolean)) schema = (schema as Record<string, Record<string, unknown>>)?.[token];
        bodyKeys = Object.keys((schema?.properties as object | undefined) ?? {});
      }
      out.push({
        method: method as FuzzRequest['method'],
        template,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        bodyKeys,
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  return out;
}

/** Just over the default 1 MB body limit: must be a 413, never read into memory whole. */
const OVERSIZE_BODY = `{"a":"${'x'.repeat(1_100_000)}"}`;

const hugeString = fc.integer({ min: 2_000, max: 200_000 }).map((n) => 'x'.repeat(n));
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...PROTO_KEYS, '', ' ', '\u0000', '../../etc/passwd', "'; DROP TABLE actions; --", '$where', '{"$gt":""}', '%00', '\uFFFF'),
);
const anyJson = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -0, 0.5) },
);

/** JSON text nested `depth` levels, in a shape the schemas recurse into (or not). */
const deepJson = fc
  .tuple(fc.integer({ min: 9, max: 20_000 }), fc.constantFrom('{"not":', '{"all":[', '{"a":', '['))
  .map(([depth, open]) => {
    const close = open === '{"all":[' ? ']}' : open === '[' ? ']' : '}';
    const leaf = '{"fact":"errorRate","operator":"equal","value":1}';
    return open.repeat(depth) + leaf + close.repeat(depth);
  });

/** An object with own __proto__/constructor members, as only raw JSON text can carry them. */
const protoJson = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
  .map(([key, value, nested]) => {
    const inner = `{${JSON.stringify(key)}:${JSON.stringify(value ?? null)},"polluted":true}`;
    return nested ? `{"source":"fuzz","timestamp":"2026-03-01T10:00:00Z","metrics":${inner}}` : inner;
  });

const snapshotJson = fc
  .record({
    source: fc.oneof(fc.constant('fuzz'), weirdString),
    timestamp: fc.oneof(fc.constant('2026-03-01T10:00:00Z'), weirdString),
    metrics: fc.dictionary(fc.oneof(fc.constantFrom('errorRate', 'costPerHour', 'diskPercent', ...PROTO_KEYS), fc.string()), anyJson, { maxKeys: 8 }),
  })
  .map((s) => JSON.stringify(s));

function keyedBody(keys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 4, arbitrary: keys.length > 0 ? fc.constantFrom(...keys) : fc.string() },
    { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  return fc.dictionary(key, anyJson, { maxKeys: 6 }).map((o) => JSON.stringify(o));
}

function bodyArb(op: DocOperation): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: keyedBody(op.bodyKeys) },
    { weight: 3, arbitrary: op.template.includes('metrics') || op.template.includes('simulate') ? snapshotJson.map((s) => (op.template.includes('simulate') ? `{"snapshot":${s}}` : s)) : keyedBody(op.bodyKeys) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: deepJson },
    { weight: 2, arbitrary: protoJson },
    { weight: 1, arbitrary: fc.constantFrom('{"a":', '{', 'nul', '[1,]', '{"a":1}}', '\u0000', '"\\ud800"', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(OVERSIZE_BODY) },
  );
}

const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('fuzz-alert', 'fuzz-throttle', 'fuzz-approval', 'main', 'nope', '00000000-0000-4000-8000-000000000000') },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.toLowerCase()) },
  { weight: 3, arbitrary: weirdString.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2e%2e%2f', '%E0%A4%A', '%', 'a'.repeat(101), 'a/b', '%2F', 'A'.repeat(5000)) },
);

function queryArb(op: DocOperation): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 3, arbitrary: op.queryParams.length > 0 ? fc.constantFrom(...op.queryParams) : fc.constant('limit') },
    { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS, 'bogus', 'limit[]', 'a[b]') },
  );
  const value = fc.oneof(
    fc.constantFrom('true', 'false', '0', '-1', '501', '50', 'warning', 'succeeded,failed', '2026-01-01T00:00:00Z', 'yesterday', '%ZZ'),
    weirdString.map((s) => encodeURIComponent(s)),
    // Below Node's 16 KB header limit, which answers 431 before the app sees the request.
    fc.integer({ min: 300, max: 3_000 }).map((n) => 'q'.repeat(n)),
  );
  return fc.array(fc.tuple(name, value), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
      'application/json; charset=latin1',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    ),
  },
);

function fill(template: string, values: string[]): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => values[i++] ?? 'x');
}

/** Any request to any documented operation: random, malformed and hostile. */
export function requestArb(ops: DocOperation[]): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        params: fc.array(pathParam, { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
        query: queryArb(op),
        body: bodyArb(op),
        type: contentType,
        ifMatch: fc.option(fc.oneof(fc.constant('*'), fc.string({ maxLength: 30 })), { freq: 5 }),
        encoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity'), { freq: 20 }),
      })
      .map(({ params, query, body, type, ifMatch, encoding }) => {
        const headers: Record<string, string> = {};
        if (body !== undefined && type !== '') headers['Content-Type'] = type;
        if (ifMatch !== null) headers['If-Match'] = ifMatch.replace(/[^\x20-\x7E]/g, '');
        if (encoding !== null && body !== undefined) headers['Content-Encoding'] = encoding;
        return { method: op.method, path: fill(op.template, params) + query, headers, body };
      }),
  );
}

/**
 * Requests that must be refused: a write to any operation with at least one poison the server
 * checks before acting (bad path parameter, unknown query parameter, body that breaks its schema
 * at the root, malformed or absurdly deep JSON).
 */
export function rejectedRequestArb(ops: DocOperation[]): fc.Arbitrary<FuzzRequest> {
  const writes = ops.filter((op) => op.method !== 'get' && !op.template.endsWith('/validate'));
  const badParam = fc.oneof(
    weirdString.filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(s)).map((s) => encodeURIComponent(s) || '%20'),
    fc.constantFrom('..', '.hidden', '-x', '_x', '__proto__', 'a'.repeat(101), 'ABCDEFGH-0000-4000-8000-000000000000'),
  );
  const poisonBody = fc.oneof(
    fc.constantFrom('{"a":', '[1,]', '{', 'nul'),
    deepJson.map((d) => `{"zzUnknown":${d}}`),
    fc.tuple(fc.constantFrom(...PROTO_KEYS, 'zzUnknown'), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => `{${JSON.stringify(k)}:${JSON.stringify(v ?? null)}}`),
    fc.constantFrom('[]', '7', '"text"', 'true'),
  );
  return fc.constantFrom(...writes).chain((op) => {
    if (op.pathParams.length > 0) {
      return fc.tuple(badParam, bodyArb(op)).map(([p, body]): FuzzRequest => ({
        method: op.method,
        path: fill(op.template, op.pathParams.map(() => p)),
        headers: body === undefined ? {} : ({ 'Content-Type': 'application/json' } as Record<string, string>),
        body,
      }));
    }
    if (!op.hasBody) {
      return fc.constantFrom(...PROTO_KEYS, 'bogus').map((k) => ({ method: op.method, path: `${op.template}?${k}=1`, headers: {}, body: undefined }));
    }
    return poisonBody.map((body) => ({ method: op.method, path: op.template, headers: { 'Content-Type': 'application/json' }, body }));
  });
}
