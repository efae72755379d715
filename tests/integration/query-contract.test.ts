import request from 'supertest';
import { snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The OpenAPI document lists each operation's query parameters; the server must refuse any other
 * on every operation (as the document's description promises), and read the listed ones strictly.
 */

const N8N_TOKEN = 'tok-0123456789';

type Operation = { parameters?: Array<{ name: string; in: string; schema?: Record<string, unknown> }> };

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
