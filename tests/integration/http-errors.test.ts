import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { waitFor } from '../helpers/wait-for';

describe('errors, limits and request ids', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')), config: { server: { bodyLimit: '2kb' } } });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await request(t.app).post('/api/metrics').set('Content-Type', 'application/json').send('{"source": ');
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(res.body.detail).toMatch(/not valid JSON/);
  });

  it('answers a body over the limit with 413 and stores nothing', async () => {
    const big = snapshot({ blob: 'x'.repeat(5000) });
    const res = await request(t.app).post('/api/metrics').send(big);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('answers a missing or non-JSON body with a 400 naming it', async () => {
    // text/plain, a form or multipart is a browser's cross-site write (403 cross_origin, browser-guard.test.ts).
    const res = await request(t.app).post('/api/metrics').set('Content-Type', 'application/xml').send('<hello/>');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/Content-Type: application\/json/);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await request(t.app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toBe('no route for GET /api/nothing-here');
  });

  it('answers a known path asked with another method with 405 and Allow, changing nothing', async () => {
    const before = await request(t.app).get('/api/self-healing/rules');
    const res = await request(t.app).delete('/api/self-healing/rules');
    expect(res.status).toBe(405);
    expect(res.type).toBe('application/problem+json');
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect(res.body).toMatchObject({ status: 405, code: 'method_not_allowed', allow: ['GET', 'HEAD', 'POST'] });
    expect(res.body.detail).toBe('DELETE is not served on /api/self-healing/rules; allowed: GET, HEAD, POST');
    expect((await request(t.app).get('/api/self-healing/rules')).body).toEqual(before.body);

    // A parameterised path: the methods of the template it matches.
    const one = await request(t.app).post('/api/self-healing/rules/some-rule');
    expect(one.status).toBe(405);
    expect(one.headers.allow).toBe('DELETE, GET, HEAD, PATCH, PUT');
    expect((await request(t.app).put('/api/metrics')).headers.allow).toBe('POST');
    expect((await request(t.app).post('/api/health')).headers.allow).toBe('GET, HEAD');
    // Unknown paths stay 404.
    expect((await request(t.app).delete('/api/nothing-here')).status).toBe(404);
  });

  it('refuses a query parameter given twice with a 400 naming it, on every route, and acts on nothing', async () => {
    for (const url of [
      '/api/metrics?wait=true&wait=false',
      '/api/self-healing/actions?limit=1&limit=2',
      '/api/self-healing/alerts?rule=a&rule=b',
      '/api/self-healing/rules/test-rule/trigger?wait=true&wait=true',
    ]) {
      const method = url.startsWith('/api/self-healing/actions') || url.startsWith('/api/self-healing/alerts') ? 'get' : 'post';
      const res = await request(t.app)[method](url).send(snapshot({ errorRate: 0.5 }));
      const name = /\?(\w+)=/.exec(url)![1];
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.errors).toEqual([{ pointer: `/query/${name}`, message: 'must be given once, as a plain value' }]);
    }
    const both = await request(t.app).get('/api/self-healing/actions?limit=1&limit=2&cursor=a&cursor=b');
    expect(both.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/query/limit', '/query/cursor']);
    expect((await request(t.app).get('/api/self-healing/actions')).body.items).toEqual([]);
  });

  it('rejects bad query parameters on history, naming each', async () => {
    const res = await request(t.app).get('/api/self-healing/actions?status=done&limit=0&since=yesterday&bogus=1&cursor=!!');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      ['/query/bogus', '/query/cursor', '/query/limit', '/query/since', '/query/status'].sort(),
    );
  });

  it('echoes a given request id, makes one otherwise, and logs with it', async () => {
    const given = await request(t.app).get('/api/health').set('X-Request-Id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const made = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.5 }));
    const id = made.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The request line is written when the reply has gone out, which can be after supertest sees it.
    const lines = await waitFor(() => {
      const mine = t.logLines.filter((l) => l.includes(id));
      return mine.some((l) => l.includes('"message":"request"')) && mine;
    }, { what: `the request log line for ${id}` });
    expect(lines.some((l) => l.includes('"message":"request"'))).toBe(true);
    expect(lines.some((l) => l.includes('action succeeded'))).toBe(true);
  });

  it('reports liveness and readiness', async () => {
    expect((await request(t.app).get('/api/health')).body.status).toBe('ok');
    const ready = await request(t.app).get('/api/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.rules).toMatchObject({ ok: true, count: 1 });
  });
});

describe('action history', () => {
  it('filters by status, rule, type and time, newest first, paginated by cursor', async () => {
    const t = await buildTestApp({
      rules: rulesDoc(
        rule('a', { cooldownMinutes: 0 }),
        rule('b', { cooldownMinutes: 0, maxActionsPerTarget: 10, action: { type: 'throttle', params: {} } }),
      ),
    });
    try {
      for (let i = 0; i < 5; i++) {
        await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.5 }));
        t.clock.advance(60_000);
      }
      const all = await request(t.app).get('/api/self-healing/actions?limit=4');
      expect(all.body.items).toHaveLength(4);
      const times = all.body.items.map((a: { createdAt: string }) => a.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      const rest = await request(t.app).get(`/api/self-healing/actions?limit=4&cursor=${all.body.nextCursor}`);
      const more = await request(t.app).get(`/api/self-healing/actions?limit=4&cursor=${rest.body.nextCursor}`);
      const ids = [...all.body.items, ...rest.body.items, ...more.body.items].map((a: { id: string }) => a.id);
      expect(new Set(ids).size).toBe(10);
      expect(more.body.nextCursor).toBeNull();
      const onlyB = await request(t.app).get('/api/self-healing/actions?rule=b&type=throttle&status=succeeded,failed');
      expect(onlyB.body.items).toHaveLength(5);
      expect(onlyB.body.items.every((a: { rule: string }) => a.rule === 'b')).toBe(true);
      const window = await request(t.app).get(
        '/api/self-healing/actions?since=2026-03-01T10:01:00Z&until=2026-03-01T10:02:00Z',
      );
      expect(window.body.items).toHaveLength(4);
    } finally {
      await t.stop();
    }
  });
});
