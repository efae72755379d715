import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { API_KEYS, KEYS } from '../helpers/api-keys';
import { runCli } from '../helpers/cli-process';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

beforeAll(async () => {
  expect((await runCli(['--help'], { timeoutMs: 240_000 })).code).toBe(0);
}, 250_000);

describe('self-healing against a running service', () => {
  let t: TestApp;
  let url: string;
  let server: http.Server;

  beforeAll(async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('errors', { cooldownMinutes: 5 }), rule('gated', { requiresApproval: true, cooldownMinutes: 0 })),
      config: { auth: { apiKeys: API_KEYS, fourEyes: [] } },
    });
    ({ url, server } = await listen(t.app));
    for (let i = 0; i < 3; i++) {
      const res = await request(t.app).post('/api/metrics').set('Authorization', `Bearer ${KEYS.operator}`).send(snapshot({ errorRate: 0.2 }));
      expect(res.status).toBe(200);
      t.clock.advance(60_000);
    }
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.stop();
  });

  const as = (key: string) => ({ env: { SELF_HEALING_API_KEY: key } });

  it('replays history as a table, with a candidate and its diff', async () => {
    const candidate = path.join(t.dir, 'candidate.json');
    fs.writeFileSync(candidate, JSON.stringify(rulesDoc(rule('errors', { cooldownMinutes: 0 }), rule('gated', { requiresApproval: true, cooldownMinutes: 0 }))));
    const r = await runCli(['replay', '--url', url, '--rules', candidate, '--compare', '--timeline'], as(KEYS.operator));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 snapshots replayed (rules');
    expect(r.stdout).toContain('clock received)');
    expect(r.stdout).toMatch(/errors\s+3\s+0\s+0\s+0\s+0/);
    expect(r.stdout).toMatch(/errors\s+1 → 3\s+0 → 0\s+2 → 0/);
    expect(r.stdout).toMatch(/2026-03-01T10:01:00.000Z\s+test\s+errors\s+execute/);
    const asJson = await runCli(['replay', '--url', url, '--json'], as(KEYS.operator));
    // The one action's verification window (alert_only: 10 minutes) is still open when the history ends.
    expect(JSON.parse(asJson.stdout).summary).toContainEqual({ rule: 'errors', execute: 1, cooldown: 2, verifying: 1 });
    const onTimestamps = await runCli(['replay', '--url', url, '--clock', 'timestamp', '--json'], as(KEYS.operator));
    expect(JSON.parse(onTimestamps.stdout)).toMatchObject({ clock: 'timestamp', snapshots: 3 });
    const badClock = await runCli(['replay', '--url', url, '--clock', 'wall'], as(KEYS.operator));
    expect(badClock.code).not.toBe(0);
    expect(badClock.stderr).toContain('/clock');
  });

  it('pages the replay timeline with the --cursor it prints', async () => {
    const seen: string[] = [];
    let args = ['replay', '--url', url, '--timeline', '--limit', '1'];
    for (let page = 0; page < 10; page++) {
      const r = await runCli(args, as(KEYS.operator));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      seen.push(...[...r.stdout.matchAll(/^(2026-\S+)\s+test\s+errors\s+(\S+)/gm)].map((m) => `${m[1]} ${m[2]}`));
      const more = /\(more: --cursor (\S+)\)/.exec(r.stdout);
      if (!more) break;
      args = ['replay', '--url', url, '--timeline', '--limit', '1', '--cursor', more[1]!];
    }
    // Every page once, in order: the three snapshots' decisions for the rule.
    expect(seen).toEqual(['2026-03-01T10:00:00.000Z execute', '2026-03-01T10:01:00.000Z cooldown', '2026-03-01T10:02:00.000Z cooldown']);
  });

  it('replays given snapshots as a batch body, a bare array or NDJSON, as ingest takes them', async () => {
    const snaps = [snapshot({ errorRate: 0.2 }), { ...snapshot({ errorRate: 0.3 }), timestamp: '2026-03-01T09:59:30Z' }];
    const forms: Record<string, string> = {
      'batch.json': JSON.stringify({ snapshots: snaps }),
      'array.json': JSON.stringify(snaps),
      'lines.ndjson': `${snaps.map((s) => JSON.stringify(s)).join('\n')}\n`,
    };
    for (const [name, text] of Object.entries(forms)) {
      const file = path.join(t.dir, name);
      fs.writeFileSync(file, text);
      const r = await runCli(['replay', '--url', url, '--snapshots', file, '--json'], as(KEYS.operator));
      expect({ name, stderr: r.stderr, code: r.code }).toEqual({ name, stderr: '', code: 0 });
      expect(JSON.parse(r.stdout)).toMatchObject({ snapshots: 2 });
      expect(JSON.parse(r.stdout).summary).toContainEqual(expect.objectContaining({ rule: 'errors', execute: 1 }));
    }
    const broken = path.join(t.dir, 'broken.ndjson');
    fs.writeFileSync(broken, `${JSON.stringify(snaps[0])}\n{ "source": \n`);
    const r = await runCli(['replay', '--url', url, '--snapshots', broken], as(KEYS.operator));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('neither JSON nor NDJSON');
    expect(r.stderr).toContain('line 2:');
  });

  it('lists, shows, approves and rejects actions; a second decision exits 1', async () => {
    const list = await runCli(['actions', 'list', '--url', url, '--status', 'pending_approval'], as(KEYS.viewer));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/gated\s+alert_only\s+pending_approval/);
    const [pending] = (await t.services.store.listActions({ limit: 10, status: ['pending_approval'] })).items;
    const show = await runCli(['actions', 'show', pending!.id, '--url', url], as(KEYS.viewer));
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/status\s+pending_approval/);
    const approve = await runCli(['actions', 'approve', pending!.id, '--url', url, '--comment', 'go'], as(KEYS.approver));
    expect(approve.code).toBe(0);
    expect(approve.stdout).toMatch(/decidedBy\s+ap\b/);
    const late = await runCli(['actions', 'reject', pending!.id, '--url', url], as(KEYS.approver2));
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/→ 409/);
  });

  it('simulates a snapshot file', async () => {
    const file = path.join(t.dir, 'snap.json');
    fs.writeFileSync(file, JSON.stringify(snapshot({ errorRate: 0.01 })));
    const r = await runCli(['simulate', file, '--url', url], as(KEYS.operator));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/errors\s+no\s+no_match/);
  });

  it('exits 3 when the service refuses the key or the input, naming what was wrong', async () => {
    const noKey = await runCli(['actions', 'list', '--url', url]);
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/→ 401/);
    const weak = await runCli(['replay', '--url', url], as(KEYS.viewer));
    expect(weak.code).toBe(3);
    expect(weak.stderr).toMatch(/→ 403/);
    const bad = await runCli(['replay', '--url', url, '--approvals', 'maybe'], as(KEYS.operator));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('/approvals');
    const badId = await runCli(['actions', 'show', 'not-an-id', '--url', url], as(KEYS.viewer));
    expect(badId.code).toBe(3);
  });
});

describe('self-healing pause, resume and revert', () => {
  let t: TestApp;
  let url: string;
  let server: http.Server;

  beforeAll(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('slow-down', { action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 5 } }, cooldownMinutes: 0, verify: false }),
        rule('noted', { priority: 5, cooldownMinutes: 0, verify: false }),
      ),
      config: { auth: { apiKeys: API_KEYS, fourEyes: [] } },
    });
    ({ url, server } = await listen(t.app));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.stop();
  });

  const as = (key: string) => ({ env: { SELF_HEALING_API_KEY: key } });
  const ingest = () => request(t.app).post('/api/metrics?wait=true').set('Authorization', `Bearer ${KEYS.operator}`).send(snapshot({ errorRate: 0.2 }));

  it('pauses and resumes the service through its routes, for an admin only', async () => {
    const until = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const notYet = await runCli(['pause', 'status', '--url', url], as(KEYS.viewer));
    expect(notYet.code).toBe(0);
    expect(notYet.stdout).toBe('not paused: automatic actions run\n');
    const paused = await runCli(['pause', '--url', url, '--reason', 'incident 42', '--until', until], as(KEYS.admin));
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toBe(`paused until ${until}: incident 42\n`);
    const status = await runCli(['pause', 'status', '--url', url], as(KEYS.viewer));
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`paused since ${t.clock.now().toISOString()} by ad until ${until}: incident 42\n`);
    const statusJson = await runCli(['pause', 'status', '--url', url, '--json'], as(KEYS.viewer));
    expect(JSON.parse(statusJson.stdout)).toMatchObject({ paused: true, reason: 'incident 42', by: 'ad', until });
    expect((await runCli(['pause', 'status', '--url', url])).code).toBe(3);
    expect(await t.services.pause.current()).toMatchObject({ paused: true, reason: 'incident 42', by: 'ad', until });
    expect((await ingest()).body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['paused', 'paused']);

    const refused = await runCli(['pause', '--url', url, '--reason', 'x'], as(KEYS.operator));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/→ 403/);
    const past = await runCli(['pause', '--url', url, '--reason', 'x', '--until', '2000-01-01T00:00:00Z'], as(KEYS.admin));
    expect(past.code).toBe(3);
    expect(past.stderr).toContain('/until');

    const resumed = await runCli(['resume', '--url', url], as(KEYS.admin));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('resumed: automatic actions run again\n');
    expect((await t.services.pause.current()).paused).toBe(false);
    const again = await runCli(['resume', '--url', url, '--json'], as(KEYS.admin));
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: false, state: { paused: false } });
    expect((await runCli(['resume', '--url', url], as(KEYS.admin))).stdout).toBe('not paused: nothing changed\n');

    const noReason = await runCli(['pause', '--url', url], as(KEYS.admin));
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
  });

  it('reverts a succeeded action once; what cannot be reverted exits 1 naming why', async () => {
    const decisions = (await ingest()).body.decisions as { rule: string; actionId: string; status: string }[];
    const throttled = decisions.find((d) => d.rule === 'slow-down')!;
    const alerted = decisions.find((d) => d.rule === 'noted')!;
    expect(throttled.status).toBe('succeeded');
    expect((await request(t.app).get('/api/self-healing/throttle').set('Authorization', `Bearer ${KEYS.viewer}`)).body.active).toBe(true);

    const revert = await runCli(['actions', 'revert', throttled.actionId, '--url', url], as(KEYS.approver));
    expect(revert.stderr).toBe('');
    expect(revert.code).toBe(0);
    expect(revert.stdout).toMatch(/status\s+succeeded/);
    expect(revert.stdout).toContain(`revertOf`);
    expect((await request(t.app).get('/api/self-healing/throttle').set('Authorization', `Bearer ${KEYS.viewer}`)).body.active).toBe(false);

    const twice = await runCli(['actions', 'revert', throttled.actionId, '--url', url], as(KEYS.approver));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/→ 409.*already reverted/);
    const noInverse = await runCli(['actions', 'revert', alerted.actionId, '--url', url], as(KEYS.approver));
    expect(noInverse.code).toBe(1);
    expect(noInverse.stderr).toContain('alert_only has no inverse');
    const viewer = await runCli(['actions', 'revert', throttled.actionId, '--url', url], as(KEYS.viewer));
    expect(viewer.code).toBe(3);
  });

  it('exits 4 when the service cannot be reached, and 2 on a bad URL', async () => {
    const { url, server } = await listen(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const down = await runCli(['resume', '--url', url]);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('cannot reach');
    const badUrl = await runCli(['resume', '--url', 'not a url']);
    expect(badUrl.code).toBe(2);
  });
});

describe('self-healing router', () => {
  it('shows the host in use and, while failed over, the probes of the primary, the streak and when the failback is due', async () => {
    const { FakeModelHost } = await import('../helpers/fake-model-host');
    const primary = await FakeModelHost.start();
    const secondary = await FakeModelHost.start();
    await primary.setMode('down');
    const t = await buildTestApp({
      rules: rulesDoc(
        rule('slow-primary', {
          conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
          action: { type: 'model_failover', params: { target: 'secondary' } },
        }),
      ),
      config: {
        auth: { apiKeys: API_KEYS },
        modelHosts: { primary: primary.url, secondary: secondary.url, timeoutMs: 1000, failback: { probeIntervalSeconds: 10, healthyProbes: 3, minHoldSeconds: 300 } },
      },
    });
    const { url, server } = await listen(t.app);
    try {
      const onPrimary = await runCli(['router', '--url', url], { env: { SELF_HEALING_API_KEY: KEYS.viewer } });
      expect(onPrimary.code).toBe(0);
      expect(onPrimary.stdout).toBe(`current      primary (${primary.url})\nfailovers    0\n`);

      const res = await request(t.app).post('/api/metrics?wait=true').set('Authorization', `Bearer ${KEYS.operator}`).send(snapshot({ ollama: { avgResponseTimeMs: 9000 } }, 'agentx'));
      const failoverId = res.body.decisions[0].actionId as string;
      await t.services.failback.run();
      await primary.setMode('healthy');
      await t.services.failback.run();
      await t.services.failback.run();
      const state = (await request(t.app).get('/api/health/router').set('Authorization', `Bearer ${KEYS.viewer}`)).body;

      const r = await runCli(['router', '--url', url], { env: { SELF_HEALING_API_KEY: KEYS.viewer } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`current      secondary (${secondary.url}), failed over since ${state.failoverTimestamp}`);
      expect(r.stdout).toContain('streak       2 of 3 healthy probes of the primary');
      expect(r.stdout).toContain(`failback     due ${state.failbackAt} if the primary stays healthy (1 more healthy probe of the primary; on the secondary for at least 300 s)`);
      expect(r.stdout).toContain(`failover     action ${failoverId}`);
      expect(r.stdout).toContain('probes       x++  (+ healthy, x not; oldest first)');
      expect(r.stdout).toMatch(/connection refused/);
      expect(r.stdout).toMatch(new RegExp(`${state.probes[2].at}\\s+yes\\s+${String(state.probes[2].latencyMs).replace('.', '\\.')}\\s+HTTP 200`));
      const asJson = await runCli(['router', '--url', url, '--json'], { env: { SELF_HEALING_API_KEY: KEYS.viewer } });
      expect(JSON.parse(asJson.stdout)).toMatchObject({ healthyStreak: 2, failbackAt: state.failbackAt });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await t.stop();
      await primary.close();
      await secondary.close();
    }
  });
});
