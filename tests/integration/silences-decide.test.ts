import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

/** A silenced rule on the real pipeline (SQLite; MongoDB with TEST_STORE=mongo): ingest, simulate, trigger, replay. */
describe('silences in the pipeline', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('slow-down', { priority: 20, action: { type: 'throttle', params: {} }, cooldownMinutes: 30 }),
        rule('note', { priority: 10 }),
      ),
    });
  });

  afterEach(async () => {
    await t.stop();
  });

  const silenceThrottle = (over: Record<string, unknown> = {}) =>
    t.services.silences.create({ matchers: { target: 'throttle', source: { regex: 'agent.*' } }, endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString(), comment: 'planned load test', ...over }, 'ops');

  it('decides silenced with the silence and its end: nothing dispatched, no cooldown; once expired the next snapshot acts', async () => {
    const s = await silenceThrottle();
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.3 }, 'agentx'));
    expect(res.status).toBe(200);
    expect(res.body.decisions).toEqual([
      { rule: 'slow-down', decision: 'silenced', silenceId: s.id, until: s.endsAt, reason: expect.stringContaining(`silenced by ${s.id}`) },
      expect.objectContaining({ rule: 'note', decision: 'execute' }),
    ]);
    expect(res.body.counts).toEqual({ silenced: 1, execute: 1 });
    const actions = await t.store.listActions({ limit: 10 });
    expect(actions.items.map((a) => a.rule)).toEqual(['note']);
    expect((await t.store.getRuleStates(['slow-down'])).get('slow-down')?.cooldownUntil ?? null).toBeNull();
    expect(await t.store.countSnapshots()).toBe(1);
    // Another source is not silenced by this one.
    const other = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }, 'billing'));
    expect(other.body.decisions[0]).toMatchObject({ rule: 'slow-down', decision: 'execute' });

    t.clock.advance(60_000);
    await t.services.silences.expire(s.id, 'ops');
    t.clock.advance(31 * 60_000);
    const after = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }, 'agentx'));
    expect(after.body.decisions[0]).toMatchObject({ rule: 'slow-down', decision: 'execute' });
  });

  it('simulate and trigger report silenced through the same decide; a trigger has no source', async () => {
    const s = await t.services.silences.create({ matchers: { rule: 'slow-down' }, endsAt: new Date(t.clock.now().getTime() + 600_000).toISOString(), comment: 'c' }, 'ops');
    const sim = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: snapshot({ errorRate: 0.3 }, 'agentx') });
    const bySim = Object.fromEntries(sim.body.results.map((r: { rule: string }) => [r.rule, r]));
    expect(bySim['slow-down']).toMatchObject({ decision: 'silenced', silenceId: s.id, until: s.endsAt });
    const trig = await request(t.app).post('/api/self-healing/rules/slow-down/trigger').send({});
    expect(trig.body.decisions[0]).toMatchObject({ decision: 'silenced', silenceId: s.id });
    expect((await t.store.listActions({ limit: 10 })).items).toEqual([]);
  });

  it('replay uses a silence that was in force then and has since expired', async () => {
    const s = await silenceThrottle();
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }, 'agentx'));
    t.clock.advance(5 * 60_000);
    await t.services.silences.expire(s.id, 'ops');
    t.clock.advance(60_000);
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }, 'agentx'));
    const res = await request(t.app).post('/api/self-healing/replay').send({});
    expect(res.status).toBe(200);
    const slow = res.body.timeline.filter((e: { rule: string }) => e.rule === 'slow-down');
    expect(slow.map((e: { decision: string }) => e.decision)).toEqual(['silenced', 'execute']);
    expect(slow[0]).toMatchObject({ silenceId: s.id, until: s.endsAt });
    expect(res.body.summary.find((r: { rule: string }) => r.rule === 'slow-down')).toMatchObject({ silenced: 1, execute: 1 });
  });

  it('holds back a failback whose target is silenced (dispatchSystemAction), and lets it through once expired', async () => {
    const s = await t.services.silences.create({ matchers: { target: 'router' }, endsAt: new Date(t.clock.now().getTime() + 600_000).toISOString(), comment: 'primary maintenance' }, 'ops');
    const failbackRule = { ...t.services.rules.current().byName.get('note')!, name: 'failback', action: { type: 'model_failover' as const, params: { to: 'primary' } } };
    const input = { rule: failbackRule, requestedBy: 'failback:test', requiresApproval: true, verify: null, snapshot: null, matchedFacts: {} };
    const held = await t.services.remediation.dispatchSystemAction({ ...input, id: '00000000-0000-4000-8000-000000000001' });
    expect(held).toEqual({ dispatched: false, reason: 'silenced', detail: `silenced by ${s.id} until ${s.endsAt}` });
    expect((await t.store.listActions({ limit: 10 })).items).toEqual([]);
    await t.services.silences.expire(s.id, 'ops');
    const sent = await t.services.remediation.dispatchSystemAction({ ...input, id: '00000000-0000-4000-8000-000000000002' });
    expect(sent.dispatched).toBe(true);
  });
});

describe('what a silence never holds back', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  const ingest = (metrics: Record<string, unknown>) => request(t.app).post('/api/metrics?wait=true').send(snapshot(metrics, 'agentx'));
  const silenceAll = () =>
    t.services.silences.create({ matchers: { source: 'agentx' }, endsAt: new Date(t.clock.now().getTime() + 3_600_000).toISOString(), comment: 'hands off' }, 'ops');

  it('reverts an ineffective action, and escalates one without an inverse, while a silence matching them is in force', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('slow-down', { priority: 20, cooldownMinutes: 10, action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } }, verify: { windowMinutes: 0.5, onIneffective: 'revert' } }),
        rule('just-tell', { priority: 10, severity: 'warning', verify: { windowMinutes: 0.5, onIneffective: 'revert' } }),
      ),
    });
    const first = await ingest({ errorRate: 0.4 });
    const [throttleId, alertId] = first.body.decisions.map((d: { actionId: string }) => d.actionId);
    await silenceAll();
    t.clock.advance(10_000);
    const during = await ingest({ errorRate: 0.5 });
    expect(during.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['cooldown', 'cooldown']);
    t.clock.advance(31_000);
    await t.services.sweeps.runOnce();
    const original = (await request(t.app).get(`/api/self-healing/actions/${throttleId}`)).body;
    expect(original).toMatchObject({ outcome: 'ineffective' });
    expect((await request(t.app).get(`/api/self-healing/actions/${original.revertedBy}`)).body).toMatchObject({ revertOf: throttleId, status: 'succeeded' });
    const alerts = (await request(t.app).get('/api/self-healing/alerts?severity=critical')).body.items;
    expect(alerts).toEqual([expect.objectContaining({ actionId: alertId })]);
  });
});
