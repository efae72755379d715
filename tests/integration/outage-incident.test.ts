import path from 'node:path';
import request from 'supertest';
import { FakeModelHost } from '../helpers/fake-model-host';
import { Pm2Daemon } from '../helpers/pm2-daemon';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * One model-host outage, three rules: the failover (inhibiting throttles and restarts of its source),
 * a throttle and a PM2 restart all match the same snapshot. One incident; the failover acts against
 * real HTTP hosts, the throttle and the restart are held back (the PM2 process is left alone); one
 * notification goes out, after the group wait, with all of it.
 */
jest.setTimeout(90_000);

const outage = { source: 'agentx', timestamp: '2026-03-01T10:00:00Z', metrics: { ollama: { avgResponseTimeMs: 9000, errorRate: 0.4 }, errorRate: 0.3, queueDepth: 180 } };
const rules = rulesDoc(
  rule('primary-down-failover', {
    priority: 90,
    conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
    action: { type: 'model_failover', params: { target: 'secondary' } },
    verify: { windowMinutes: 5, onIneffective: 'none' },
    inhibits: { types: ['throttle', 'service_restart'], sameSource: true },
  }),
  rule('error-rate-throttle', {
    priority: 50,
    conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] },
    action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 15 } },
  }),
  rule('queue-restart', {
    priority: 10,
    conditions: { all: [{ fact: 'queueDepth', operator: 'greaterThan', value: 100 }] },
    action: { type: 'service_restart', params: { service: 'agentx' } },
    requiresApproval: false,
  }),
);

describe('one outage, one incident', () => {
  let t: TestApp;
  let primary: FakeModelHost;
  let secondary: FakeModelHost;
  const pm2 = new Pm2Daemon();
  const savedHome = process.env.PM2_HOME;

  beforeAll(async () => {
    await pm2.cli('start', path.join(__dirname, '../fixtures/pm2-apps/steady-app.js'), '--name', 'agentx-api');
    process.env.PM2_HOME = pm2.home;
    primary = await FakeModelHost.start();
    secondary = await FakeModelHost.start();
    await primary.setMode('down');
  });

  afterAll(async () => {
    await t?.stop();
    await primary.close();
    await secondary.close();
    await pm2.stop();
    process.env.PM2_HOME = savedHome;
  });

  it('groups the three decisions, runs only the failover, and sends one notice', async () => {
    t = await buildTestApp({
      rules,
      config: {
        modelHosts: { primary: primary.url, secondary: secondary.url, timeoutMs: 1000 },
        services: { agentx: 'agentx-api' },
        notifications: { n8n: { url: 'http://127.0.0.1:9/hook', secret: 'outage-secret' }, delivery: { pollIntervalMs: 60_000 } },
      },
    });
    const res = await request(t.app).post('/api/metrics?wait=true').send(outage);
    expect(res.status).toBe(200);
    const [failover, throttle, restart] = res.body.decisions;
    expect(failover).toMatchObject({ rule: 'primary-down-failover', decision: 'execute', status: 'succeeded' });
    for (const held of [throttle, restart]) {
      expect(held).toMatchObject({ decision: 'inhibited', inhibitedBy: { rule: 'primary-down-failover', actionId: failover.actionId } });
    }
    expect((await request(t.app).get('/api/health/router')).body).toMatchObject({ current: 'secondary', failedOver: true });
    expect((await request(t.app).get('/api/self-healing/throttle')).body).toMatchObject({ active: false });

    // The group wait (30 s by default) collects; then the sweep sends the one notice.
    t.clock.advance(31_000);
    await t.services.sweeps.runOnce();
    await t.services.incidentEvents.idle();
    await t.services.notifications.relay.runOnce();
    await t.services.notifications.notifier.flush();

    const incidents = await t.store.incidents.listIncidents({ limit: 10 });
    expect(incidents.items).toHaveLength(1);
    const incident = incidents.items[0]!;
    expect(incident).toMatchObject({ state: 'open', labels: { source: 'agentx' } });
    const action = await t.store.getAction(failover.actionId);
    expect(action?.incidentId).toBe(incident.id);
    const decisions = await t.store.incidents.listDecisions(incident.id, 10);
    expect(decisions.map((d) => `${d.rule}:${d.decision}`)).toEqual(['primary-down-failover:execute', 'error-rate-throttle:inhibited', 'queue-restart:inhibited']);

    const outbox = (await t.store.notifications.listOutbox({ limit: 50 })).items;
    expect(outbox.map((e) => `${e.eventType}->${e.destination}`)).toEqual(['incident.opened->n8n']);
    const notice = JSON.parse(outbox[0]!.payload);
    expect(notice).toMatchObject({ type: 'incident.opened', incidentId: incident.id, data: { change: 'opened', incident: { id: incident.id, labels: { source: 'agentx' } } } });
    expect(notice.data.actions).toEqual([expect.objectContaining({ id: failover.actionId, rule: 'primary-down-failover', type: 'model_failover', status: 'succeeded' })]);
    expect(notice.data.decisions.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`)).toEqual(decisions.map((d) => `${d.rule}:${d.decision}`));

    const agentx = (await pm2.list()).find((p) => p.name === 'agentx-api')!;
    expect(agentx.pm2_env).toMatchObject({ status: 'online', restart_time: 0 });

    // The API: open first, the timeline, the actions of the incident.
    const listed = await request(t.app).get('/api/self-healing/incidents?state=open');
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([incident.id]);
    const detail = (await request(t.app).get(`/api/self-healing/incidents/${incident.id}`)).body;
    expect(detail).toMatchObject({ rules: ['primary-down-failover', 'error-rate-throttle', 'queue-restart'], snapshots: [res.body.snapshotId], notices: ['opened'] });
    expect(detail.timeline.map((e: { kind: string; rule?: string }) => `${e.kind}${e.rule ? `:${e.rule}` : ''}`)).toEqual([
      'opened',
      'decision:primary-down-failover',
      'decision:error-rate-throttle',
      'decision:queue-restart',
      'dispatched:primary-down-failover',
      'succeeded:primary-down-failover',
    ]);
    const ofIncident = await request(t.app).get(`/api/self-healing/actions?incidentId=${incident.id}`);
    expect(ofIncident.body.items.map((a: { id: string }) => a.id)).toEqual([failover.actionId]);

    // The outage is over: a snapshot of agentx on which none of the three rules match resolves it.
    t.clock.advance(10_000);
    await request(t.app).post('/api/metrics').send({ ...outage, metrics: { ollama: { avgResponseTimeMs: 300 }, errorRate: 0.01, queueDepth: 3 } }).expect(200);
    await t.services.sweeps.runOnce();
    await t.services.notifications.relay.runOnce();
    await t.services.notifications.notifier.flush();
    expect(await t.store.incidents.getIncident(incident.id)).toMatchObject({ state: 'resolved', resolution: 'rules_cleared' });
    const told = (await t.store.notifications.listOutbox({ limit: 50 })).items.map((e) => e.eventType).sort();
    expect(told).toEqual(['incident.opened', 'incident.resolved']);
  });
});
