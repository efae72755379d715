import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

describe('shadow mode', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it('decides a shadow rule on ingest and records what it would have done, without acting or notifying', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('trial', { mode: 'shadow', cooldownMinutes: 10, action: { type: 'throttle', params: {} } }),
        rule('gated-trial', { mode: 'shadow', requiresApproval: true }),
        rule('live', { cooldownMinutes: 10 }),
      ),
    });
    const first = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.2 }));
    expect(first.status).toBe(200);
    const byRule = Object.fromEntries(first.body.decisions.map((d: { rule: string }) => [d.rule, d]));
    expect(byRule.trial).toMatchObject({ decision: 'shadow', wouldDecide: 'execute', status: 'shadowed' });
    expect(byRule['gated-trial']).toMatchObject({ decision: 'shadow', wouldDecide: 'require_approval', status: 'shadowed' });
    expect(byRule.live).toMatchObject({ decision: 'execute', status: 'succeeded' });

    // Nothing ran for the shadow rules: no throttle, no pending approval, no event about them.
    expect((await request(t.app).get('/api/self-healing/throttle')).body.active).toBe(false);
    expect((await t.services.store.listActions({ limit: 10, status: ['pending_approval'] })).items).toHaveLength(0);
    expect(t.notifier.events.filter((e) => e.rule === 'trial' || e.rule === 'gated-trial')).toEqual([]);

    const shadowed = await request(t.app).get('/api/self-healing/actions?status=shadowed');
    expect(shadowed.status).toBe(200);
    expect(shadowed.body.items.map((a: { rule: string }) => a.rule).sort()).toEqual(['gated-trial', 'trial']);

    // Its own cooldown holds: the next snapshot is decided shadow/cooldown and records nothing more.
    t.clock.advance(60_000);
    const second = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    const trial = second.body.decisions.find((d: { rule: string }) => d.rule === 'trial');
    expect(trial).toMatchObject({ decision: 'shadow', wouldDecide: 'cooldown' });
    expect(trial.actionId).toBeUndefined();
    expect((await t.services.store.listActions({ limit: 10, status: ['shadowed'] })).items).toHaveLength(2);

    // The engine's statistics count them as shadow decisions, apart from real ones.
    const metrics = (await request(t.app).get('/metrics')).text;
    expect(metrics).toContain('self_healing_decisions_total{rule="trial",decision="shadow"} 2');
    expect(metrics).toContain('self_healing_decisions_total{rule="live",decision="execute"} 1');
  });

  it('shows shadow decisions in simulate without recording anything', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('trial', { mode: 'shadow' })) });
    const res = await request(t.app)
      .post('/api/self-healing/simulate')
      .send({ snapshot: snapshot({ errorRate: 0.2 }) });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ rule: 'trial', decision: 'shadow', wouldDecide: 'execute' });
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
  });

  it('sends shadow events only to the channels that ask for them', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('trial', { mode: 'shadow' })),
      config: { notifications: { shadowChannels: ['log'] } },
    });
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    const events = t.notifier.ofType('action.shadowed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ rule: 'trial', channels: ['log'], data: { wouldDecide: 'execute' } });
  });

  it('promotes a rule with a PATCH of its mode, after which it acts', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('trial', { mode: 'shadow', cooldownMinutes: 0 })) });
    const before = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 }));
    expect(before.body.decisions[0].decision).toBe('shadow');
    const patched = await request(t.app).patch('/api/self-healing/rules/trial').send({ mode: 'enforce' });
    expect(patched.status).toBe(200);
    expect(patched.body.rule.mode).toBe('enforce');
    const after = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.2 }));
    expect(after.body.decisions[0]).toMatchObject({ decision: 'execute', status: 'succeeded' });
  });

  it('refuses an unknown mode with the pointer to it', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('trial')) });
    const res = await request(t.app).patch('/api/self-healing/rules/trial').send({ mode: 'maybe' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].pointer).toBe('/mode');
  });
});
