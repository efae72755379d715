import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

describe('POST /api/metrics', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it('rejects a bad snapshot with every problem named, and stores nothing', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    const res = await request(t.app)
      .post('/api/metrics')
      .send({ source: '', timestamp: 'yesterday', metrics: [], extra: 1 });
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    const pointers = [...new Set(res.body.errors.map((e: { pointer: string }) => e.pointer))].sort();
    expect(pointers).toEqual(['/extra', '/metrics', '/source', '/timestamp']);
    expect(await t.services.store.countSnapshots()).toBe(0);
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
  });

  it('rejects metrics nested too deeply', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 12; i++) deep = { d: deep };
    const res = await request(t.app).post('/api/metrics').send(snapshot({ deep }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/deeper than 8/);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('stores the snapshot and lists one decision per matching enabled rule, in priority order', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('low', { priority: 5 }),
        rule('high', { priority: 50 }),
        rule('off', { enabled: false }),
        rule('other', { conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] } }),
        rule('gated', { priority: 20, requiresApproval: true }),
      ),
    });
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.2, diskPercent: 10 }));
    expect(res.status).toBe(200);
    expect(res.body.decisions.map((d: { rule: string }) => d.rule)).toEqual(['high', 'gated', 'low']);
    const [high, gated, low] = res.body.decisions;
    expect(high).toMatchObject({ decision: 'execute', status: 'succeeded' });
    expect(gated).toMatchObject({ decision: 'require_approval', status: 'pending_approval' });
    expect(low).toMatchObject({ decision: 'execute', status: 'succeeded' });
    expect(await t.services.store.countSnapshots()).toBe(1);
    const stored = await t.services.store.getSnapshot(res.body.snapshotId);
    expect(stored?.metrics).toEqual({ errorRate: 0.2, diskPercent: 10 });
  });

  it('puts a fired rule in cooldown until the window ends, then fires it again', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a', { cooldownMinutes: 10 })) });
    const first = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(first.body.decisions[0].decision).toBe('execute');
    t.clock.advance(9 * 60_000);
    const second = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(second.body.decisions[0]).toMatchObject({ decision: 'cooldown', until: '2026-03-01T10:10:00.000Z' });
    expect(second.body.decisions[0].reason).toContain('2026-03-01T10:10:00.000Z');
    t.clock.advance(60_000);
    const third = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(third.body.decisions[0].decision).toBe('execute');
  });

  it('counts every decision, and with ?decisions=acted lists only those that acted', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('cooling', { priority: 30, cooldownMinutes: 10 }),
        rule('gated', { priority: 20, cooldownMinutes: 1, requiresApproval: true }),
        rule('again', { priority: 10, cooldownMinutes: 1 }),
      ),
    });
    const first = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(first.body.counts).toEqual({ execute: 2, require_approval: 1 });
    t.clock.advance(2 * 60_000);
    const full = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(full.body.decisions.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`)).toEqual([
      'cooling:cooldown',
      'gated:duplicate_pending',
      'again:execute',
    ]);
    expect(full.body.counts).toEqual({ cooldown: 1, duplicate_pending: 1, execute: 1 });
    t.clock.advance(60_000);
    const acted = await request(t.app).post('/api/metrics?decisions=acted').send(snapshot({ errorRate: 0.2 }));
    expect(acted.status).toBe(200);
    expect(acted.body.decisions).toEqual([expect.objectContaining({ rule: 'again', decision: 'execute' })]);
    expect(acted.body.counts).toEqual({ cooldown: 1, duplicate_pending: 1, execute: 1 });
    const quiet = await request(t.app).post('/api/metrics?decisions=acted').send(snapshot({ errorRate: 0.2 }));
    expect(quiet.body).toMatchObject({ decisions: [], counts: { cooldown: 2, duplicate_pending: 1 } });
    const batch = await request(t.app)
      .post('/api/metrics/batch?decisions=acted')
      .send({ snapshots: [snapshot({ errorRate: 0.2 }), snapshot({ errorRate: 0.01 })] });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { decisions: unknown[]; counts: unknown }) => [r.decisions.length, r.counts])).toEqual([
      [0, { cooldown: 2, duplicate_pending: 1 }],
      [0, {}],
    ]);
  });

  it('refuses an unknown ?decisions= value before storing anything', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    const res = await request(t.app).post('/api/metrics?decisions=some').send(snapshot({ errorRate: 0.2 }));
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ pointer: '/query/decisions', message: 'must be one of all, acted' }]);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('dispatches exactly once for 20 concurrent ingests of the same triggering snapshot', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a'), rule('g', { requiresApproval: true })) });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }))),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const decisionsFor = (name: string) =>
      replies.map((r) => r.body.decisions.find((d: { rule: string }) => d.rule === name).decision);
    expect(decisionsFor('a').filter((d: string) => d === 'execute')).toHaveLength(1);
    expect(decisionsFor('a').filter((d: string) => d === 'cooldown')).toHaveLength(19);
    expect(decisionsFor('g').filter((d: string) => d === 'require_approval')).toHaveLength(1);
    const actions = await t.services.store.listActions({ limit: 100 });
    expect(actions.items.filter((a) => a.rule === 'a')).toHaveLength(1);
    expect(actions.items.filter((a) => a.rule === 'g')).toHaveLength(1);
    expect(await t.services.store.countSnapshots()).toBe(20);
  });

  it('gives concurrent evaluations exactly the decisions sequential ones give', async () => {
    const rules = Array.from({ length: 30 }, (_, i) =>
      rule(`r${i}`, {
        cooldownMinutes: 0,
        conditions: { all: [{ fact: `m${i % 7}`, operator: 'greaterThan', value: i }] },
      }),
    );
    t = await buildTestApp({ rules: rulesDoc(...rules) });
    const snapshots = Array.from({ length: 40 }, (_, k) =>
      snapshot(Object.fromEntries(Array.from({ length: 7 }, (_, j) => [`m${j}`, (k * 7 + j * 3) % 35]))),
    );
    const summarize = (body: { decisions: { rule: string }[] }) => body.decisions.map((d) => d.rule).join(',');
    const sequential: string[] = [];
    for (const s of snapshots) sequential.push(summarize((await request(t.app).post('/api/metrics').send(s)).body));
    const concurrent = await Promise.all(snapshots.map((s) => request(t.app).post('/api/metrics').send(s)));
    expect(concurrent.map((r) => summarize(r.body))).toEqual(sequential);
    expect(sequential.some((s) => s.length > 0)).toBe(true);
  });

  it('keeps snapshots within the retention limit', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')), config: { snapshots: { retention: { maxCount: 3, maxAgeHours: 1 } } } });
    for (let i = 0; i < 5; i++) await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0 }));
    expect(await t.services.store.countSnapshots()).toBe(5);
    await t.services.sweeps.pruneSnapshots();
    expect(await t.services.store.countSnapshots()).toBe(3);
    t.clock.advance(2 * 3_600_000);
    await t.services.sweeps.pruneSnapshots();
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('records a strategy failure on the action and keeps serving', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('rollback-missing', { action: { type: 'prompt_rollback', params: { prompt: 'nope' } } })),
    });
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.3 }));
    expect(res.body.decisions[0]).toMatchObject({ decision: 'execute', status: 'failed' });
    const action = await t.services.store.getAction(res.body.decisions[0].actionId);
    expect(action?.status).toBe('failed');
    expect(action?.error).toMatch(/nope/);
    expect((await request(t.app).get('/api/health')).status).toBe(200);
  });
});
