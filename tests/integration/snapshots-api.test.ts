import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { ingestSeries } from '../helpers/app-ingest';
import { rule, rulesDoc } from '../helpers/rules';

describe('Snapshots API', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 60 })) });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('lists stored snapshots newest first, page by page, filtered by source and time, and returns one by id', async () => {
    const start = t.clock.now().toISOString();
    const appIds = await ingestSeries(t, [{ errorRate: 0.01 }, { errorRate: 0.2 }, { errorRate: 0.02 }]);
    const batchIds = await ingestSeries(t, [{ queue: 5 }, { queue: 9 }], 'batch');

    const first = await request(t.app).get('/api/self-healing/snapshots?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([batchIds[1], batchIds[0], appIds[2]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(t.app).get(`/api/self-healing/snapshots?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((s: { id: string }) => s.id)).toEqual([appIds[1], appIds[0]]);
    expect(second.body.nextCursor).toBeNull();

    const app = await request(t.app).get(`/api/self-healing/snapshots?source=app&from=${start}&to=${new Date(Date.parse(start) + 60_000).toISOString()}`);
    expect(app.body.items.map((s: { id: string }) => s.id)).toEqual([appIds[1], appIds[0]]);

    const one = await request(t.app).get(`/api/self-healing/snapshots/${appIds[1]}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: appIds[1], source: 'app', timestamp: expect.any(String), receivedAt: new Date(Date.parse(start) + 60_000).toISOString(), metrics: { errorRate: 0.2 } });
  });

  it('names each source with its newest snapshot', async () => {
    await ingestSeries(t, [{ errorRate: 0.01 }, { errorRate: 0.03 }]);
    await ingestSeries(t, [{ queue: 9 }], 'batch');
    const res = await request(t.app).get('/api/self-healing/snapshots/sources');
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { source: string; count: number; latest: { metrics: unknown } }) => [s.source, s.count, s.latest.metrics])).toEqual([
      ['app', 2, { errorRate: 0.03 }],
      ['batch', 1, { queue: 9 }],
    ]);
  });

  it('draws one fact as [time, value] points, with the span and bucket it used', async () => {
    const from = t.clock.now();
    await ingestSeries(t, [{ ollama: { ms: 100 } }, { ollama: { ms: 6200 } }, { ollama: {} }, { ollama: { ms: 300 } }]);
    const to = new Date(from.getTime() + 3 * 60_000);
    const res = await request(t.app).get(`/api/self-healing/series?source=app&fact=ollama.ms&from=${from.toISOString()}&to=${to.toISOString()}&step=1s`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      source: 'app',
      fact: 'ollama.ms',
      from: from.toISOString(),
      to: to.toISOString(),
      stepMs: 1000,
      samples: 3,
      points: [[from.getTime(), 100], [from.getTime() + 60_000, 6200], [from.getTime() + 180_000, 300]],
    });
    // Without from/to: the last 24 hours up to now; the step widens so there are at most 499 buckets.
    const recent = await request(t.app).get('/api/self-healing/series?source=app&fact=ollama.ms&step=1ms');
    expect(recent.body.stepMs).toBe(Math.ceil((24 * 3_600_000) / 499));
    expect(recent.body.to).toBe(t.clock.now().toISOString());
    expect(recent.body.points).toHaveLength(3);
  });

  it('keeps a one-snapshot spike through downsampling and never returns more than 1,000 points', async () => {
    const from = t.clock.now();
    // 1,500 snapshots a second apart: 499 buckets over the span, each with up to two points, and the newest.
    await t.store.insertSnapshots(
      Array.from({ length: 1500 }, (_, i) => ({
        id: `0190a8f0-0000-7000-8000-${String(i).padStart(12, '0')}`,
        source: 'app',
        timestamp: new Date(from.getTime() + i * 1000).toISOString(),
        receivedAt: new Date(from.getTime() + i * 1000),
        metrics: { errorRate: i === 1234 ? 0.9 : 0.01 + (i % 7) / 1000 },
      })),
    );
    t.clock.set(new Date(from.getTime() + 1500 * 1000));
    const series = await request(t.app).get(`/api/self-healing/series?source=app&fact=errorRate&from=${new Date(from.getTime() - 1).toISOString()}`);
    expect(series.status).toBe(200);
    expect(series.body.samples).toBe(1500);
    expect(series.body.points.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...series.body.points.map((p: number[]) => p[1]))).toBe(0.9);
    expect(series.body.points[series.body.points.length - 1]).toEqual([from.getTime() + 1499 * 1000, 0.01 + (1499 % 7) / 1000]);
  });

  it.each([
    ['/api/self-healing/series?fact=errorRate', '/query/source'],
    ['/api/self-healing/series?source=app', '/query/fact'],
    ['/api/self-healing/series?source=app&fact=a..b', '/query/fact'],
    ['/api/self-healing/series?source=app&fact=%24.a', '/query/fact'],
    ['/api/self-healing/series?source=app&fact=a&step=5y', '/query/step'],
    ['/api/self-healing/series?source=app&fact=a&step=0', '/query/step'],
    ['/api/self-healing/series?source=app&fact=a&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', '/query/from'],
    ['/api/self-healing/series?source=app&fact=a&from=yesterday', '/query/from'],
    ['/api/self-healing/series?source=app&fact=a&fact=b', '/query/fact'],
    ['/api/self-healing/snapshots?limit=0', '/query/limit'],
    ['/api/self-healing/snapshots?cursor=nope', '/query/cursor'],
    ['/api/self-healing/snapshots?source=has%20space', '/query/source'],
    ['/api/self-healing/snapshots?rule=x', '/query/rule'],
    ['/api/self-healing/snapshots/not-a-uuid', '/params/id'],
  ])('refuses %s with a 400 naming %s', async (url, pointer) => {
    const res = await request(t.app).get(url);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('answers 404 for a snapshot that is not stored', async () => {
    const res = await request(t.app).get('/api/self-healing/snapshots/0190a8f0-0000-7000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
