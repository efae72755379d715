import request from 'supertest';
import { API_KEYS, KEYS, bearer } from '../helpers/api-keys';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const firingRule = (name: string, alert: string, overrides: Record<string, unknown> = {}) =>
  rule(name, {
    conditions: { all: [{ fact: 'alerts', path: `$.${alert}.firing`, operator: 'equal', value: true }] },
    cooldownMinutes: 0,
    ...overrides,
  });

function alert(name: string, labels: Record<string, string> = {}, status: 'firing' | 'resolved' = 'firing') {
  return {
    status,
    labels: { alertname: name, ...labels },
    annotations: { summary: `${name} is happening` },
    startsAt: '2026-03-01T09:58:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-03-01T09:59:30Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: 'abc123',
  };
}

function payload(...alerts: ReturnType<typeof alert>[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'self-healing',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

describe('POST /api/webhooks/alertmanager', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it('turns alerts into one snapshot per job, runs the rules that read the alerts fact, and lists decisions per snapshot', async () => {
    t = await buildTestApp({ rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate'), firingRule('on-disk', 'DiskFull')) });
    const res = await request(t.app)
      .post('/api/webhooks/alertmanager?wait=true')
      .send(payload(alert('HighErrorRate', { job: 'api', severity: 'critical' }), alert('DiskFull', { job: 'db' }), alert('Orphan')));
    expect(res.status).toBe(200);
    expect(res.body.snapshots.map((s: { source: string; alerts: string[] }) => [s.source, s.alerts])).toEqual([
      ['api', ['HighErrorRate']],
      ['db', ['DiskFull']],
      ['alertmanager', ['Orphan']],
    ]);
    const [api, db, orphan] = res.body.snapshots;
    expect(api.decisions).toMatchObject([{ rule: 'on-high-errors', decision: 'execute', status: 'succeeded' }]);
    expect(db.decisions).toMatchObject([{ rule: 'on-disk', decision: 'execute', status: 'succeeded' }]);
    expect(orphan.decisions).toEqual([]);

    const stored = await t.services.store.getSnapshot(api.snapshotId);
    expect(stored?.source).toBe('api');
    expect(stored?.metrics).toEqual({
      alerts: {
        HighErrorRate: {
          firing: true,
          severity: 'critical',
          labels: { alertname: 'HighErrorRate', job: 'api', severity: 'critical' },
          annotations: { summary: 'HighErrorRate is happening' },
          startsAt: '2026-03-01T09:58:00Z',
          endsAt: null,
          count: 1,
        },
      },
    });
    const action = await t.services.store.getAction(api.decisions[0].actionId);
    expect(action).toMatchObject({ requestedBy: 'alertmanager:api', status: 'succeeded' });
  });

  it('delivers a resolved alert as firing: false, so the rule no longer matches', async () => {
    t = await buildTestApp({ rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate')) });
    const res = await request(t.app).post('/api/webhooks/alertmanager').send(payload(alert('HighErrorRate', { job: 'api' }, 'resolved')));
    expect(res.status).toBe(200);
    expect(res.body.snapshots[0].decisions).toEqual([]);
    const stored = await t.services.store.getSnapshot(res.body.snapshots[0].snapshotId);
    expect(stored?.metrics.alerts).toMatchObject({ HighErrorRate: { firing: false, endsAt: '2026-03-01T09:59:30Z' } });
  });

  it('merges alerts of one name and source: firing if any instance still fires', async () => {
    t = await buildTestApp({ rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate')) });
    const res = await request(t.app)
      .post('/api/webhooks/alertmanager?wait=true')
      .send(payload(alert('HighErrorRate', { job: 'api', instance: 'a' }, 'resolved'), alert('HighErrorRate', { job: 'api', instance: 'b' })));
    expect(res.body.snapshots).toHaveLength(1);
    expect(res.body.snapshots[0].decisions).toMatchObject([{ rule: 'on-high-errors', decision: 'execute' }]);
    const stored = await t.services.store.getSnapshot(res.body.snapshots[0].snapshotId);
    expect(stored?.metrics.alerts).toMatchObject({ HighErrorRate: { firing: true, count: 2, labels: { instance: 'b' } } });
  });

  it('takes the source from the configured label, made fit for a source name', async () => {
    t = await buildTestApp({
      rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate')),
      config: { prometheus: { alertmanager: { sourceLabel: 'service', defaultSource: 'am' } } },
    });
    const res = await request(t.app)
      .post('/api/webhooks/alertmanager')
      .send(payload(alert('HighErrorRate', { job: 'ignored', service: 'rag worker' }), alert('Other', { job: 'api' })));
    expect(res.body.snapshots.map((s: { source: string }) => s.source)).toEqual(['rag_worker', 'am']);
  });

  it('refuses a bad payload with every problem named, and ingests nothing', async () => {
    t = await buildTestApp({ rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate')) });
    const res = await request(t.app)
      .post('/api/webhooks/alertmanager')
      .send({
        version: '3',
        status: 'burning',
        alerts: [
          { status: 'firing', labels: { alertname: 'HighErrorRate' }, startsAt: '2026-03-01T09:58:00Z' },
          { status: 'firing', labels: { job: 'api', '': 'x' }, startsAt: 'yesterday' },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    const pointers = [...new Set(res.body.errors.map((e: { pointer: string }) => e.pointer))].sort();
    expect(pointers).toEqual(expect.arrayContaining(['/version', '/status', '/alerts/1/labels', '/alerts/1/startsAt']));
    expect(await t.services.store.countSnapshots()).toBe(0);
    expect((await t.services.store.listActions({ limit: 10 })).items).toEqual([]);

    const empty = await request(t.app).post('/api/webhooks/alertmanager').send({ version: '4', status: 'firing', alerts: [] });
    expect(empty.status).toBe(400);
    const none = await request(t.app).post('/api/webhooks/alertmanager').set('Content-Type', 'application/json').send('');
    expect(none.status).toBe(400);
  });

  it('needs an operator key when API keys are configured, as Alertmanager sends it', async () => {
    t = await buildTestApp({ rules: rulesDoc(firingRule('on-high-errors', 'HighErrorRate')), config: { auth: { apiKeys: API_KEYS } } });
    const body = payload(alert('HighErrorRate', { job: 'api' }));
    expect((await request(t.app).post('/api/webhooks/alertmanager').send(body)).status).toBe(401);
    expect((await request(t.app).post('/api/webhooks/alertmanager').set(...bearer(KEYS.viewer)).send(body)).status).toBe(403);
    const ok = await request(t.app).post('/api/webhooks/alertmanager').set(...bearer(KEYS.operator)).send(body);
    expect(ok.status).toBe(200);
    expect(ok.body.snapshots[0].decisions).toMatchObject([{ rule: 'on-high-errors', decision: 'execute' }]);
  });
});
