import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { encodeCursor, decodeCursor } from '../../src/domain/cursor';
import { isDateTime } from '../../src/domain/date-time';
import { snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The OpenAPI document lists each operation's query parameters; the server must refuse any other
 * on every operation (as the document's description promises), and read the listed ones strictly.
 */

const N8N_TOKEN = 'tok-0123456789';

type Parameter = { name: string; in: string; required?: boolean; style?: string; explode?: boolean; schema?: Record<string, unknown> };
type Operation = { parameters?: Parameter[] };

const SAMPLE_PATH_VALUES: Record<string, string> = {
  name: 'high-error-rate-throttle',
  id: '00000000-0000-4000-8000-000000000000',
  version: '0123456789abcdef0123',
};

describe('query parameters, against the served document', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The n8n webhook authenticates before reading anything: give it a token to show.
    t = await buildTestApp({ config: { notifications: { inbound: { auth: 'token', token: N8N_TOKEN, maxSkewSeconds: 300 } } } });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('refuses an unknown query parameter on every operation of the document with 400 naming it', async () => {
    const doc = (await request(t.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const walked: string[] = [];
    const wrong: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        // A document that allows free-form parameters says so with an object-valued parameter (none today).
        if ((op.parameters ?? []).some((p) => p.in === 'query' && p.schema?.type === 'object')) continue;
        const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => SAMPLE_PATH_VALUES[name] ?? 'x');
        let req = request(t.app)[method as 'get'](`${url}?zzUnknown=1`);
        if (path === '/api/events') req = req.set('Accept', 'text/event-stream');
        if (path === '/api/webhooks/n8n') req = req.set('Authorization', `Bearer ${N8N_TOKEN}`);
        if (method !== 'get' && method !== 'delete') req = req.set('Content-Type', 'application/json').send('{}');
        const res = await req;
        walked.push(`${method.toUpperCase()} ${path}`);
        const pointers = ((res.body as { errors?: Array<{ pointer: string }> }).errors ?? []).map((e) => e.pointer);
        if (res.status !== 400 || !pointers.includes('/query/zzUnknown')) wrong.push(`${method.toUpperCase()} ${path}: ${res.status} ${JSON.stringify(pointers)}`);
      }
    }
    expect(walked.length).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
  });

  it('reads every declared query parameter of every operation as its served schema says: refuses what the schema refuses, takes what it accepts', async () => {
    const doc = (await request(t.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    // The judge is JSON Schema itself (ajv, with the service's date-time and its cursors), not the reader.
    const ajv = new Ajv2020({ strict: true, strictTypes: false });
    addFormats(ajv);
    ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
    ajv.addFormat('cursor', { type: 'string', validate: (s: string) => decodeCursor(s) !== null });
    const accepts = (p: Parameter, raw: string): boolean => {
      // How OpenAPI serializes a query value: style form, explode false is a comma list.
      const value = p.schema!.type === 'array' && p.style === 'form' && p.explode === false ? raw.split(',') : p.schema!.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      return ajv.validate(p.schema!, value);
    };
    const shared = [
      ...['', 'x', 'X', 'a'.repeat(201), 'é'.repeat(150), 'has space', 'true', 'false', 'yes', 'null'],
      ...['0', '1', '-1', '1.5', '50', '500', '501', '0000001', '99999999', '12', '1234567890123456'],
      // Valid ones lie before the test clock's now: `from` of a series must come before its default `to`.
      ...['2000-03-01T10:00:00Z', '2000-03-01T10:00:00.5+02:00', '2026-03-01T10:00:00', '2026-02-30T10:00:00Z', '2026-12-31T23:59:60Z', 'yesterday', `2026-03-01T10:00:00.${'0'.repeat(50)}Z`],
      ...['00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-00000000000A', 'urn:uuid:00000000-0000-4000-8000-000000000000', 'not-a-uuid'],
      ...[encodeCursor({ at: 1, id: 'x' }), 'nope', '!!'],
      ...['app', 'errorRate', 'ollama.avgResponseTimeMs', 'a..b', '$.a', '30s', '500ms', '0ms', '0', '5y', 'high-error-rate-throttle', 'ops'],
    ];
    const candidates = (p: Parameter): string[] => {
      const s = p.schema!;
      const members = ((s.enum ?? (s.items as { enum?: unknown[] } | undefined)?.enum ?? []) as unknown[]).map(String);
      const lists = members.length > 0 && s.type === 'array' ? [members.join(','), `${members[0]},bogus`, Array(members.length + 1).fill(members[0]).join(',')] : [];
      return [...new Set([...shared, ...members, ...lists, ...(s.default !== undefined ? [String(s.default)] : [])])];
    };

    const server = http.createServer(t.app).listen(0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const walked: string[] = [];
    const wrong: string[] = [];
    try {
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const params = (op.parameters ?? []).filter((p) => p.in === 'query');
          // A rule that does not exist: a trigger reads its query, then answers 404 without acting.
          const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'name' ? 'no-such-rule' : (SAMPLE_PATH_VALUES[name] ?? 'x')));
          // Required parameters are given a value their schema accepts, so each other one is judged alone.
          const needed = new URLSearchParams();
          for (const p of params.filter((q) => q.required)) needed.set(p.name, candidates(p).find((c) => accepts(p, c))!);
          for (const p of params) {
            const judged = candidates(p).map((raw) => ({ raw, ok: accepts(p, raw) }));
            // Each parameter is shown both sides of its schema, or the walk proves nothing about it.
            if (!judged.some((j) => j.ok) || !judged.some((j) => !j.ok)) wrong.push(`${method} ${path} ${p.name}: no candidate on one side of its schema`);
            for (const { raw, ok } of judged) {
              const search = new URLSearchParams(needed);
              search.set(p.name, raw);
              // No Accept on the event stream: it answers 406 after reading its query, instead of streaming.
              let req = request(base)[method as 'get'](`${url}?${search}`);
              if (path === '/api/webhooks/n8n') req = req.set('Authorization', `Bearer ${N8N_TOKEN}`);
              if (method !== 'get' && method !== 'delete') req = req.set('Content-Type', 'application/json').send('{}');
              const res = await req;
              const pointers = ((res.body as { errors?: Array<{ pointer: string }> }).errors ?? []).map((e) => e.pointer);
              const refused = res.status === 400 && pointers.includes(`/query/${p.name}`);
              if (refused === ok || res.status >= 500) wrong.push(`${method} ${path}?${p.name}=${JSON.stringify(raw.slice(0, 40))}: schema ${ok ? 'accepts' : 'refuses'}, served ${res.status} ${JSON.stringify(pointers)}`);
            }
            walked.push(`${method} ${path} ${p.name}`);
          }
        }
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(walked.length).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
  });

  it.each([
    ['/api/metrics', 'wait=null'],
    ['/api/metrics', 'wait=yes'],
    ['/api/metrics', 'foo=1'],
    ['/api/metrics', 'decisions=some'],
    ['/api/metrics/batch', 'wait=null'],
    ['/api/metrics/batch', 'foo=1'],
    ['/api/webhooks/alertmanager', 'wait=yes'],
    ['/api/webhooks/alertmanager', 'foo=1'],
  ])('refuses POST %s?%s with 400 and stores nothing', async (path, query) => {
    const before = await t.services.store.countSnapshots();
    const res = await request(t.app).post(`${path}?${query}`).send({});
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(`/query/${query.split('=')[0]}`);
    expect(await t.services.store.countSnapshots()).toBe(before);
  });

  it('answers rules/history?limit as the document says: 1-500, 0 refused', async () => {
    const doc = (await request(t.app).get('/api/openapi.json')).body;
    const limit = doc.paths['/api/self-healing/rules/history'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    expect((await request(t.app).get('/api/self-healing/rules/history?limit=0')).status).toBe(400);
    expect((await request(t.app).get('/api/self-healing/rules/history?limit=1')).status).toBe(200);
    expect((await request(t.app).get('/api/self-healing/rules/history?limit=500')).status).toBe(200);
    expect((await request(t.app).get('/api/self-healing/rules/history?limit=501')).status).toBe(400);
  });

  it('advertises the methods of /rules/validate itself on OPTIONS, not those of /rules/{name}', async () => {
    const res = await request(t.app).options('/api/self-healing/rules/validate');
    expect(res.headers.allow).toBe('POST');
    expect((await request(t.app).options('/api/self-healing/rules/some-rule')).headers.allow).toBe('DELETE, GET, HEAD, PATCH, PUT');
  });

  it('refuses a body in any charset but UTF-8 with 415, changing nothing', async () => {
    const before = await t.services.store.countSnapshots();
    const body = Buffer.from(JSON.stringify({ source: 'a', metrics: { x: 1 } }), 'utf16le');
    for (const type of ['application/json; charset=utf-16', 'application/json; charset=UTF-16LE', 'application/x-ndjson; charset=latin1', 'application/json; charset="iso-8859-1"']) {
      const res = await request(t.app).post('/api/metrics').set('Content-Type', type).send(body);
      expect([type, res.status, res.body.code]).toEqual([type, 415, 'unsupported_media_type']);
    }
    expect(await t.services.store.countSnapshots()).toBe(before);
    expect((await request(t.app).post('/api/metrics').set('Content-Type', 'application/json; charset=UTF-8').send(JSON.stringify(snapshot({ x: 1 })))).status).toBe(200);
  });
});
