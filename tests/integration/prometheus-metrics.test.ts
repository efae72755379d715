import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { API_KEYS, KEYS, bearer } from '../helpers/api-keys';
import { promtoolCheckMetrics, sample } from '../helpers/exposition';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';
import { eventually } from '../helpers/webhook-receiver';

const fact = (name: string) => ({ all: [{ fact: name, operator: 'equal', value: true }] });

function rules() {
  return rulesDoc(
    rule('alert-me', { conditions: fact('alertMe'), cooldownMinutes: 10 }),
    rule('approve-me', { conditions: fact('needsApproval'), requiresApproval: true }),
    rule('throttle-me', { conditions: fact('throttleMe'), action: { type: 'throttle', params: { factor: 0.4, durationMinutes: 15 } } }),
  );
}

async function scrape(t: TestApp, key?: string): Promise<string> {
  let req = request(t.app).get('/metrics');
  if (key) req = req.set(...bearer(key));
  const res = await req;
  expect(res.status).toBe(200);
  expect(res.type).toBe('text/plain');
  return res.text;
}

describe('GET /metrics', () => {
  const apps: TestApp[] = [];
  const build = async (options: Parameters<typeof buildTestApp>[0]) => {
    const t = await buildTestApp(options);
    apps.push(t);
    return t;
  };

  afterEach(async () => {
    for (const t of apps.splice(0)) await t.stop();
  });

  it('counts snapshots, decisions and actions, times evaluations and actions, and passes promtool', async () => {
    const t = await build({ rules: rules() });
    const empty = await scrape(t);
    expect(sample(empty, 'self_healing_rules_loaded')).toBe(3);
    expect(sample(empty, 'self_healing_rules_last_reload_success')).toBe(1);
    expect(sample(empty, 'self_healing_approvals_pending')).toBe(0);
    expect(sample(empty, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);

    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ alertMe: true, needsApproval: true }, 'agentx')).expect(200);
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ alertMe: true }, 'agentx')).expect(200);
    await request(t.app).post('/api/metrics').send(snapshot({ nothing: 1 }, 'rag')).expect(200);

    const text = await scrape(t);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'agentx' })).toBe(2);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'rag' })).toBe(1);
    expect(sample(text, 'self_healing_decisions_total', { rule: 'alert-me', decision: 'execute' })).toBe(1);
    expect(sample(text, 'self_healing_decisions_total', { rule: 'alert-me', decision: 'cooldown' })).toBe(1);
    expect(sample(text, 'self_healing_decisions_total', { rule: 'approve-me', decision: 'require_approval' })).toBe(1);
    expect(sample(text, 'self_healing_actions_total', { type: 'alert_only', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'self_healing_actions_total', { type: 'alert_only', status: 'pending_approval' })).toBe(1);
    expect(sample(text, 'self_healing_action_duration_seconds_count', { type: 'alert_only' })).toBe(1);
    expect(sample(text, 'self_healing_evaluation_duration_seconds_count')).toBe(3);
    expect(sample(text, 'self_healing_approvals_pending')).toBe(1);
    expect(text).toMatch(/^# TYPE self_healing_action_outcomes_total counter$/m);

    const lint = promtoolCheckMetrics(text);
    if (lint) expect(lint).toEqual({ ok: true, output: '' });
  });

  it('caps the source label at prometheus.maxSourceLabels and counts the rest as "other"', async () => {
    const t = await build({ rules: rules(), config: { prometheus: { maxSourceLabels: 2 } } });
    for (const source of ['a', 'b', 'c', 'd', 'a']) {
      await request(t.app).post('/api/metrics').send(snapshot({ x: 1 }, source)).expect(200);
    }
    const text = await scrape(t);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'a' })).toBe(2);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'b' })).toBe(1);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'other' })).toBe(2);
    expect(sample(text, 'self_healing_snapshots_ingested_total', { source: 'c' })).toBeUndefined();
  });

  it('reports shared state from the store: an instance that did nothing shows the same gauges', async () => {
    const dir = makeTempDir();
    const first = await build({ rules: rules(), dir });
    await request(first.app).post('/api/metrics?wait=true').send(snapshot({ needsApproval: true, throttleMe: true })).expect(200);
    const second = await build({ dir, clock: first.clock });
    for (const t of [first, second]) {
      const text = await scrape(t);
      expect(sample(text, 'self_healing_approvals_pending')).toBe(1);
      expect(sample(text, 'self_healing_throttle_factor')).toBe(0.4);
      expect(sample(text, 'self_healing_failover_active')).toBe(0);
    }
    // Past its deadline the throttle no longer counts, even before the sweep restores it.
    first.clock.advance(16 * 60_000);
    expect(sample(await scrape(second), 'self_healing_throttle_factor')).toBe(1);
  });

  it('shows a refused rules file as a failed reload, with the last good rules still counted', async () => {
    const t = await build({ rules: rules() });
    fs.writeFileSync(t.rulesFile, '{ "rules": [');
    expect(await t.services.rules.reload()).toBe(false);
    const text = await scrape(t);
    expect(sample(text, 'self_healing_rules_last_reload_success')).toBe(0);
    expect(sample(text, 'self_healing_rules_loaded')).toBe(3);
  });

  it('counts failed deliveries of outbound events', async () => {
    const refuser = http.createServer((_req, res) => res.writeHead(500).end('no'));
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(refuser.address() as AddressInfo).port}/hook`;
      const t = await build({
        rules: rulesDoc(rule('alert-me', { conditions: fact('alertMe'), notifications: { channels: ['log', 'n8n'] } })),
        config: { notifications: { n8n: { url, secret: 's3cret' }, delivery: { maxAttempts: 1, pollIntervalMs: 20 } }, incidents: { notify: 'rule' } },
      });
      await request(t.app).post('/api/metrics?wait=true').send(snapshot({ alertMe: true })).expect(200);
      await t.services.notifications.notifier.flush();
      // One attempt each (maxAttempts 1): once nothing is pending, every entry failed exactly once.
      const text = await eventually(async () => {
        const body = await scrape(t);
        return sample(body, 'self_healing_outbox_pending') === 0 && body;
      }, 10_000, 'the outbox to be worked off');
      const failed = await t.services.store.notifications.countOutbox('failed');
      expect(failed).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'self_healing_notification_failures_total')).toBe(failed);
    } finally {
      await new Promise((resolve) => refuser.close(resolve));
    }
  });

  it('needs a key of any role when API keys are configured, sent as Prometheus sends it', async () => {
    const t = await build({ rules: rules(), config: { auth: { apiKeys: API_KEYS } } });
    const anonymous = await request(t.app).get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toMatch(/self_healing_/);
    expect(sample(await scrape(t, KEYS.viewer), 'self_healing_rules_loaded')).toBe(3);
    expect(sample(await scrape(t, KEYS.admin), 'self_healing_rules_loaded')).toBe(3);
  });

  it('serves every metric the shipped Grafana dashboard and alerting rules query', async () => {
    const t = await build({ rules: rules() });
    const families = new Set([...(await scrape(t)).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const docs = path.join(__dirname, '..', '..', 'docs', 'prometheus');
    const dashboard = JSON.parse(fs.readFileSync(path.join(docs, 'grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((q) => q.expr)),
      ...fs.readFileSync(path.join(docs, 'alerting-rules.yml'), 'utf8').split('\n').filter((l) => l.includes('expr:')),
    ];
    const named = new Set(queries.flatMap((q) => [...q.matchAll(/\b((?:self_healing|process|nodejs)_[a-z_]+)/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(10);
    const unknown = [...named].filter((n) => !families.has(n) && !families.has(n.replace(/_(bucket|sum|count)$/, '')));
    expect(unknown).toEqual([]);
  });
});
