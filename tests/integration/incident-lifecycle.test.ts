import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/** Incidents over HTTP on the test store: the per-incident budget, escalations joining, notices per change. */

const bad = { errorRate: 0.4 };
const notifyConfig = { notifications: { n8n: { url: 'http://127.0.0.1:9/hook', secret: 'lifecycle-secret' }, delivery: { pollIntervalMs: 60_000 } } };

async function told(t: TestApp): Promise<string[]> {
  await t.services.incidentEvents.idle();
  await t.services.notifications.relay.runOnce();
  await t.services.notifications.notifier.flush();
  return (await t.store.notifications.listOutbox({ limit: 100 })).items.map((e) => e.eventType).sort();
}

describe('incident lifecycle', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('spends limits.perIncident.maxActions across the incident, naming it, and on the snapshot that opens it', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('a', { priority: 30 }), rule('b', { priority: 20 }), rule('c', { priority: 10, cooldownMinutes: 0 })),
      config: { limits: { perIncident: { maxActions: 2 } } },
    });
    const first = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(first.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['execute', 'execute', 'budget_exhausted']);
    expect(first.body.decisions[2]).toEqual({ rule: 'c', decision: 'budget_exhausted', reason: 'budget of incident opened on this snapshot is spent (2 actions per incident)' });
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    const again = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(again.body.decisions[2]).toEqual({
      rule: 'c',
      decision: 'budget_exhausted',
      incidentId: incident!.id,
      reason: `budget of incident ${incident!.id} is spent (2 actions per incident)`,
    });
    // Another source is another incident, with a budget of its own.
    const other = await request(t.app).post('/api/metrics').send(snapshot(bad, 'billing'));
    expect(other.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['cooldown', 'cooldown', 'execute']);
    const sim = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: snapshot(bad, 'agentx') });
    expect(sim.body.results.find((r: { rule: string }) => r.rule === 'c')).toMatchObject({ decision: 'budget_exhausted', incidentId: incident!.id });
  });

  it('tells an opened incident\'s later changes once each; an escalation joins it', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('slow-down', { priority: 20, action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } }, verify: { windowMinutes: 0.5, onIneffective: 'escalate' } }),
        rule('later', { priority: 10, conditions: { all: [{ fact: 'queueDepth', operator: 'greaterThan', value: 100 }] }, action: { type: 'throttle', params: { factor: 0.6, durationMinutes: 30 } }, verify: { windowMinutes: 0.5, onIneffective: 'none' } }),
      ),
      config: { ...notifyConfig, incidents: { groupWaitSeconds: 0 } },
    });
    const first = await request(t.app).post('/api/metrics?wait=true').send(snapshot(bad, 'agentx'));
    const throttled = first.body.decisions[0].actionId as string;
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    // groupWaitSeconds 0: opened at once; the action's own events stay off the webhook.
    expect(await told(t)).toEqual(['incident.opened']);

    t.clock.advance(5_000);
    const second = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ ...bad, queueDepth: 500 }, 'agentx'));
    expect(second.body.decisions.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`)).toEqual(['slow-down:cooldown', 'later:execute']);
    // The action taken on a later snapshot is a change: told once.
    expect(await told(t)).toEqual(['incident.opened', 'incident.updated']);

    // slow-down's window ends still matching: ineffective, escalated; the alert joins the incident.
    t.clock.advance(31_000);
    await request(t.app).post('/api/metrics').send(snapshot({ ...bad, queueDepth: 500 }, 'agentx'));
    await t.services.sweeps.runOnce();
    await t.services.incidentEvents.idle();
    const alerts = await request(t.app).get(`/api/self-healing/alerts?incidentId=${incident!.id}`);
    expect(alerts.body.items).toEqual([expect.objectContaining({ actionId: throttled, incidentId: incident!.id, severity: 'critical' })]);
    expect((await t.store.incidents.getIncident(incident!.id))!.state).toBe('open');
    const detail = (await request(t.app).get(`/api/self-healing/incidents/${incident!.id}`)).body;
    const moments = detail.timeline.filter((e: { kind: string }) => ['verified', 'alert'].includes(e.kind)).map((e: { kind: string; rule: string }) => `${e.kind}:${e.rule}`);
    // Both windows are decided by the same sweep, at one instant; the escalation's alert follows.
    expect(moments.slice(0, 2).sort()).toEqual(['verified:later', 'verified:slow-down']);
    expect(moments[2]).toBe('alert:slow-down');
    // Found ineffective and escalated: a change, told once.
    expect(await told(t)).toEqual(['incident.opened', 'incident.updated', 'incident.updated']);
    expect(await t.store.incidents.notices(incident!.id)).toEqual(['opened', `snapshot:${second.body.snapshotId}`, `action.ineffective:${throttled}`]);
  });

  it('files the budget alert in the incident of its held decision, and the incident tells it', async () => {
    const throttle = { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } };
    t = await buildTestApp({
      rules: rulesDoc(rule('slow-down', { action: throttle, cooldownMinutes: 0, maxActionsPerTarget: 1, verify: false })),
      config: { ...notifyConfig, incidents: { groupWaitSeconds: 0 } },
    });
    expect((await request(t.app).post('/api/metrics?wait=true').send(snapshot(bad, 'agentx'))).body.decisions[0].decision).toBe('execute');
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    expect(await told(t)).toEqual(['incident.opened']);

    t.clock.advance(60_000);
    const held = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(held.body.decisions[0]).toMatchObject({ decision: 'budget_exhausted', target: 'throttle' });
    const alerts = (await request(t.app).get('/api/self-healing/alerts?severity=critical')).body.items;
    expect(alerts).toEqual([expect.objectContaining({ rule: 'slow-down', actionId: null, incidentId: incident!.id })]);
    expect(alerts[0].message).toMatch(/automation for throttle is held until/);
    // Told by the incident it joined (incidents.notify "incident"): its own alert.created stays off the webhook.
    expect(await told(t)).toEqual(['incident.opened', 'incident.updated']);
    const updated = (await t.store.notifications.listOutbox({ limit: 100 })).items.find((e) => e.eventType === 'incident.updated')!;
    const payload = JSON.parse(updated.payload) as { incidentId: string; data: { change: { event: string; data: { alertId: string } }; alerts: { id: string }[] } };
    expect(payload.incidentId).toBe(incident!.id);
    expect(payload.data.change).toMatchObject({ event: 'alert.created', data: { alertId: alerts[0].id } });
    expect(payload.data.alerts.map((a) => a.id)).toEqual([alerts[0].id]);
    const timeline = (await request(t.app).get(`/api/self-healing/incidents/${incident!.id}`)).body.timeline as { kind: string; alertId?: string }[];
    expect(timeline.filter((e) => e.kind === 'alert').map((e) => e.alertId)).toEqual([alerts[0].id]);

    // The window's one alert is raised: later held snapshots raise and tell nothing more.
    t.clock.advance(60_000);
    await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(await told(t)).toEqual(['incident.opened', 'incident.updated']);
  });

  it('puts a budget alert raised before the group wait ended into the opened notice', async () => {
    const throttle = { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } };
    t = await buildTestApp({
      rules: rulesDoc(rule('slow-down', { action: throttle, cooldownMinutes: 0, maxActionsPerTarget: 1, verify: false })),
      config: { ...notifyConfig, incidents: { groupWaitSeconds: 30 } },
    });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot(bad, 'agentx'));
    t.clock.advance(5_000);
    await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    const [alert] = (await request(t.app).get(`/api/self-healing/alerts?incidentId=${incident!.id}`)).body.items;
    expect(alert).toMatchObject({ severity: 'critical', actionId: null });
    expect(await told(t)).toEqual([]);
    t.clock.advance(30_000);
    await t.services.sweeps.runOnce();
    expect(await told(t)).toEqual(['incident.opened']);
    const opened = (await t.store.notifications.listOutbox({ limit: 100 })).items[0]!;
    expect((JSON.parse(opened.payload) as { data: { alerts: { id: string; severity: string }[] } }).data.alerts).toEqual([
      expect.objectContaining({ id: alert.id, severity: 'critical' }),
    ]);
  });

  it('groups by the configured labels, and resolves an incident when every verified action was effective', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('slow-down', { action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } }, verify: { windowMinutes: 0.5, onIneffective: 'none' } })),
      config: { ...notifyConfig, incidents: { groupBy: ['rule'], groupWaitSeconds: 0 } },
    });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot(bad, 'agentx'));
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    expect(incident).toMatchObject({ groupKey: 'rule=slow-down', labels: { rule: 'slow-down' } });
    t.clock.advance(10_000);
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }, 'agentx'));
    t.clock.advance(21_000);
    await t.services.sweeps.runOnce();
    await t.services.incidentEvents.idle();
    expect(await t.store.incidents.getIncident(incident!.id)).toMatchObject({ state: 'resolved', resolution: 'actions_effective', resolvedAt: t.clock.now() });
    expect(await told(t)).toEqual(['incident.opened', 'incident.resolved']);
  });

  it('resolves an incident that stayed quiet for resolveAfterMinutes, and the next decision opens a new one', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('note', { cooldownMinutes: 0 })), config: { incidents: { resolveAfterMinutes: 5 } } });
    await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    const [first] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    t.clock.advance(4 * 60_000);
    await t.services.sweeps.runOnce();
    expect((await t.store.incidents.getIncident(first!.id))!.state).toBe('open');
    t.clock.advance(60_000);
    await t.services.sweeps.runOnce();
    expect(await t.store.incidents.getIncident(first!.id)).toMatchObject({ state: 'resolved', resolution: 'quiet' });
    await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    const listed = (await request(t.app).get('/api/self-healing/incidents')).body.items;
    expect(listed.map((i: { state: string }) => i.state)).toEqual(['open', 'resolved']);
    expect(listed[1].id).toBe(first!.id);
  });
});
