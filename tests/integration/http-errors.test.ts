import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

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
    const res = await request(t.app).post('/api/metrics').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/Content-Type: application\/json/);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await request(t.app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toBe('no route for GET /api/nothing-here');
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
    await new Promise((r) => setTimeout(r, 50));
    const lines = t.logLines.filter((l) => l.includes(id));
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
