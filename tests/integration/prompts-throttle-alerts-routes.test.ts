import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const MIN = 60_000;

async function addVersion(t: TestApp, name: string, body: Record<string, unknown>) {
  return request(t.app).post(`/api/prompts/${name}/versions`).send(body);
}

describe('prompt registry routes', () => {
  let t: TestApp;
  afterEach(() => t.stop());

  it('registers versions and reads the prompt and its active version', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    expect((await request(t.app).get('/api/prompts')).body).toEqual({ items: [] });

    const first = await addVersion(t, 'main', { content: 'You are helpful.', description: 'first' });
    expect(first.status).toBe(201);
    expect(first.body.version).toMatchObject({ version: 1, active: true, content: 'You are helpful.', description: 'first' });
    expect(first.body.prompt).toMatchObject({ name: 'main', activeVersion: 1, active: { version: 1 } });

    const second = await addVersion(t, 'main', { content: 'You are terse.' });
    expect(second.status).toBe(201);
    expect(second.body.version).toMatchObject({ version: 2, active: false });
    expect(second.body.prompt.activeVersion).toBe(1);

    const third = await addVersion(t, 'main', { content: 'You are precise.', activate: true });
    expect(third.body.prompt).toMatchObject({ activeVersion: 3, active: { version: 3, content: 'You are precise.' } });

    const got = await request(t.app).get('/api/prompts/main');
    expect(got.status).toBe(200);
    expect(got.body.versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(got.body.active).toMatchObject({ version: 3 });

    const active = await request(t.app).get('/api/prompts/main/active');
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ name: 'main', version: 3, content: 'You are precise.', active: true });

    const list = await request(t.app).get('/api/prompts');
    expect(list.body.items).toEqual([
      { name: 'main', activeVersion: 3, latestVersion: 3, versionCount: 3, updatedAt: '2026-03-01T10:00:00.000Z' },
    ]);
  });

  it('answers 400 naming every problem, 404 for unknown prompts, and stores nothing on bad input', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    const bad = await addVersion(t, 'main', { content: '', activate: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.type).toBe('application/problem+json');
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/activate', '/content', '/extra']);

    const tooBig = await addVersion(t, 'main', { content: 'x'.repeat(100_001) });
    expect(tooBig.status).toBe(400);

    const noBody = await request(t.app).post('/api/prompts/main/versions');
    expect(noBody.status).toBe(400);

    const badName = await addVersion(t, '-main', { content: 'x' });
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0].pointer).toBe('/params/name');

    expect((await request(t.app).get('/api/prompts/nope')).status).toBe(404);
    expect((await request(t.app).get('/api/prompts/nope/active')).status).toBe(404);
    expect((await request(t.app).get('/api/prompts?x=1')).status).toBe(400);
    expect((await request(t.app).get('/api/prompts')).body.items).toEqual([]);
  });

  it('a matching prompt_rollback rule rolls the prompt back; without a previous version the action fails', async () => {
    const rollbackRule = rule('quality', {
      conditions: { all: [{ fact: 'prompts', path: '$.main.qualityScore', operator: 'lessThan', value: 0.7 }] },
      action: { type: 'prompt_rollback', params: { prompt: 'main' } },
      cooldownMinutes: 0,
    });
    t = await buildTestApp({ rules: rulesDoc(rollbackRule) });
    for (const content of ['v1', 'v2', 'v3']) await addVersion(t, 'main', { content, activate: true });

    const fired = await request(t.app)
      .post('/api/metrics?wait=true')
      .send(snapshot({ prompts: { main: { qualityScore: 0.5 } } }));
    expect(fired.status).toBe(200);
    expect(fired.body.decisions[0]).toMatchObject({ decision: 'execute', status: 'succeeded' });
    const [action] = (await t.services.store.listActions({ limit: 1 })).items;
    expect(action?.result?.details).toEqual({ prompt: 'main', from: 3, to: 2 });
    expect((await request(t.app).get('/api/prompts/main/active')).body.version).toBe(2);

    t.clock.advance(MIN);
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ prompts: { main: { qualityScore: 0.5 } } }));
    expect((await request(t.app).get('/api/prompts/main/active')).body.version).toBe(1);

    t.clock.advance(MIN);
    const third = await request(t.app)
      .post('/api/metrics?wait=true')
      .send(snapshot({ prompts: { main: { qualityScore: 0.5 } } }));
    expect(third.body.decisions[0]).toMatchObject({ status: 'failed' });
    const [failed] = (await t.services.store.listActions({ limit: 1 })).items;
    expect(failed?.error).toMatch(/no version before the active version 1/);
    expect(failed?.result?.details).toEqual({ prompt: 'main', reason: 'no_previous_version' });
    const prompt = (await request(t.app).get('/api/prompts/main')).body;
    expect(prompt.activeVersion).toBe(1);
    expect(prompt.versions.filter((v: { active: boolean }) => v.active)).toHaveLength(1);
  });
});

describe('throttle routes', () => {
  let t: TestApp;
  afterEach(() => t?.stop());

  const costRule = rule('cost', {
    conditions: { all: [{ fact: 'costPerHour', operator: 'greaterThan', value: 5 }] },
    action: { type: 'throttle', params: { factor: 0.6, durationMinutes: 30 } },
    cooldownMinutes: 0,
  });

  it('reports the unthrottled state, the throttle a rule applies, and its expiry', async () => {
    t = await buildTestApp({ rules: rulesDoc(costRule) });
    const idle = await request(t.app).get('/api/self-healing/throttle');
    expect(idle.status).toBe(200);
    expect(idle.body).toEqual({
      active: false,
      factor: 1,
      limit: 100,
      baseLimit: 100,
      until: null,
      previous: null,
      reason: null,
    });

    const fired = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 6 }));
    expect(fired.body.decisions[0]).toMatchObject({ decision: 'execute', status: 'succeeded' });
    const throttled = await request(t.app).get('/api/self-healing/throttle');
    expect(throttled.body).toMatchObject({
      active: true,
      factor: 0.6,
      limit: 60,
      until: '2026-03-01T10:30:00.000Z',
      previous: { factor: 1, limit: 100 },
    });
    const [action] = (await t.services.store.listActions({ limit: 1 })).items;
    expect(action?.result?.details).toMatchObject({
      from: { active: false, factor: 1, limit: 100 },
      to: { active: true, factor: 0.6, limit: 60 },
      until: '2026-03-01T10:30:00.000Z',
    });
    expect(t.notifier.ofType('throttle.changed')).toHaveLength(1);

    t.clock.advance(30 * MIN);
    await t.services.sweeps.runOnce();
    expect((await request(t.app).get('/api/self-healing/throttle')).body).toMatchObject({ active: false, factor: 1, limit: 100 });
    expect(t.notifier.ofType('throttle.changed').map((e) => e.data.change)).toEqual(['activated', 'restored']);
  });

  it('DELETE restores at once and is harmless when nothing is throttled', async () => {
    t = await buildTestApp({ rules: rulesDoc(costRule) });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 6 }));
    const restored = await request(t.app).delete('/api/self-healing/throttle?by=alice');
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ active: false, factor: 1, limit: 100, until: null, restored: true });
    expect((await request(t.app).get('/api/self-healing/throttle')).body.active).toBe(false);
    expect(t.notifier.ofType('throttle.changed').at(-1)?.data).toMatchObject({ change: 'restored', by: 'alice' });

    const again = await request(t.app).delete('/api/self-healing/throttle');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ active: false, restored: false });

    expect((await request(t.app).delete('/api/self-healing/throttle?force=1')).status).toBe(400);
    expect((await request(t.app).get('/api/self-healing/throttle?x=1')).status).toBe(400);
  });

  it('restores on start when the service was down at the deadline', async () => {
    t = await buildTestApp({ rules: rulesDoc(costRule) });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 6 }));
    expect((await t.services.store.getThrottleState())?.value.active).toBe(true);
    await t.stop();

    t.clock.advance(2 * 60 * MIN);
    t = await buildTestApp({ dir: t.dir, clock: t.clock });
    // The start-up sweep restored it, not the read.
    expect((await t.services.store.getThrottleState())?.value).toMatchObject({ active: false, factor: 1, limit: 100 });
    expect(t.notifier.ofType('throttle.changed').map((e) => e.data.change)).toEqual(['restored']);
  });
});

describe('alert routes', () => {
  let t: TestApp;
  afterEach(() => t.stop());

  const diskRule = rule('disk', {
    severity: 'critical',
    description: 'Disk almost full',
    conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThanInclusive', value: 90 }] },
    action: { type: 'alert_only', params: {} },
    cooldownMinutes: 0,
    notifications: { channels: ['log'] },
  });
  const errorRule = rule('errors', { severity: 'warning', cooldownMinutes: 0 });

  it('lists alerts an alert_only rule recorded, with filters and pages', async () => {
    t = await buildTestApp({ rules: rulesDoc(diskRule, errorRule) });
    const fired = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ diskPercent: 95, errorRate: 0.2 }));
    expect(fired.body.decisions.map((d: { status: string }) => d.status)).toEqual(['succeeded', 'succeeded']);
    t.clock.advance(MIN);
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ diskPercent: 97 }));

    const all = await request(t.app).get('/api/self-healing/alerts');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(3);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]).toMatchObject({
      rule: 'disk',
      severity: 'critical',
      message: 'disk: Disk almost full (matched diskPercent=97)',
      metrics: { diskPercent: 97 },
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    expect(typeof all.body.items[0].actionId).toBe('string');
    expect(t.notifier.ofType('alert.created')).toHaveLength(3);

    const disk = await request(t.app).get('/api/self-healing/alerts?rule=disk');
    expect(disk.body.items).toHaveLength(2);
    const warnings = await request(t.app).get('/api/self-healing/alerts?severity=warning');
    expect(warnings.body.items.map((a: { message: string }) => a.message)).toEqual(['errors fired']);
    const recent = await request(t.app).get('/api/self-healing/alerts?since=2026-03-01T10:00:30Z');
    expect(recent.body.items).toHaveLength(1);

    const page1 = await request(t.app).get('/api/self-healing/alerts?limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await request(t.app).get(`/api/self-healing/alerts?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(3);

    const one = await request(t.app).get(`/api/self-healing/alerts/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(ids[0]);
  });

  it('rejects bad query parameters naming each', async () => {
    t = await buildTestApp({ rules: rulesDoc(diskRule) });
    const res = await request(t.app).get('/api/self-healing/alerts?severity=loud&acknowledged=maybe&limit=0&since=yesterday&x=1');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/query/acknowledged',
      '/query/limit',
      '/query/severity',
      '/query/since',
      '/query/x',
    ]);
    expect((await request(t.app).get('/api/self-healing/alerts?cursor=abc')).status).toBe(400);
  });

  it('acknowledges once: 200, then 409; 404 for an unknown alert, 400 for bad input', async () => {
    t = await buildTestApp({ rules: rulesDoc(diskRule) });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ diskPercent: 95 }));
    const [alert] = (await request(t.app).get('/api/self-healing/alerts')).body.items;

    const noBy = await request(t.app).post(`/api/self-healing/alerts/${alert.id}/ack`).send({ who: 'x' });
    expect(noBy.status).toBe(400);
    expect(noBy.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/by', '/who']);

    t.clock.advance(5000);
    const ack = await request(t.app).post(`/api/self-healing/alerts/${alert.id}/ack`).send({ by: 'alice' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: alert.id, acknowledgedBy: 'alice', acknowledgedAt: '2026-03-01T10:00:05.000Z' });

    const again = await request(t.app).post(`/api/self-healing/alerts/${alert.id}/ack`).send({ by: 'bob' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_acknowledged', acknowledgedBy: 'alice' });

    const unknown = await request(t.app)
      .post('/api/self-healing/alerts/00000000-0000-4000-8000-000000000000/ack')
      .send({ by: 'bob' });
    expect(unknown.status).toBe(404);
    expect((await request(t.app).post('/api/self-healing/alerts/not-an-id/ack').send({ by: 'bob' })).status).toBe(400);

    const acked = await request(t.app).get('/api/self-healing/alerts?acknowledged=true');
    expect(acked.body.items.map((a: { acknowledgedBy: string }) => a.acknowledgedBy)).toEqual(['alice']);
    expect((await request(t.app).get('/api/self-healing/alerts?acknowledged=false')).body.items).toEqual([]);
  });
});
