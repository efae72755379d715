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
    expect(r.stdout).toContain('3 snapshots replayed');
    expect(r.stdout).toMatch(/errors\s+3\s+0\s+0\s+0\s+0/);
    expect(r.stdout).toMatch(/errors\s+1 → 3\s+0 → 0\s+2 → 0/);
    expect(r.stdout).toMatch(/2026-03-01T10:01:00.000Z\s+test\s+errors\s+execute/);
    const asJson = await runCli(['replay', '--url', url, '--json'], as(KEYS.operator));
    expect(JSON.parse(asJson.stdout).summary).toContainEqual({ rule: 'errors', execute: 1, cooldown: 2 });
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
  it('call the closed-loop routes with the key and the body they take', async () => {
    const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
    const { url, server } = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(req.url!.includes('revert') ? { id: 'r1', rule: 'x', type: 'throttle', status: 'succeeded', params: {} } : { paused: req.method === 'POST', until: null }));
      });
    });
    try {
      const env = { env: { SELF_HEALING_API_KEY: 'k-123' } };
      expect((await runCli(['pause', '--url', url, '--reason', 'incident 42'], env)).code).toBe(0);
      expect((await runCli(['resume', '--url', url], env)).code).toBe(0);
      const revert = await runCli(['actions', 'revert', '00000000-0000-4000-8000-000000000001', '--url', url], env);
      expect(revert.code).toBe(0);
      expect(revert.stdout).toMatch(/status\s+succeeded/);
      expect(seen).toEqual([
        { method: 'POST', url: '/api/self-healing/pause', auth: 'Bearer k-123', body: JSON.stringify({ reason: 'incident 42' }) },
        { method: 'DELETE', url: '/api/self-healing/pause', auth: 'Bearer k-123', body: '' },
        { method: 'POST', url: '/api/self-healing/actions/00000000-0000-4000-8000-000000000001/revert', auth: 'Bearer k-123', body: '' },
      ]);
      const noReason = await runCli(['pause', '--url', url]);
      expect(noReason.code).toBe(2);
      expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
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
