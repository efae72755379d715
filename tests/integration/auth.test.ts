import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { ROLES, type Role } from '../../src/http/access-policy';
import { ACCESS_POLICY } from '../../routes/route-catalog';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { listExpressRoutes } from '../helpers/openapi-contract';

const KEY_OF: Record<Role, string> = { viewer: KEYS.viewer, operator: KEYS.operator, approver: KEYS.approver, admin: KEYS.admin };
const concrete = (path: string) => path.replace(':id', randomUUID()).replace(':name', 'no-such-thing');

function send(app: Express, method: string, path: string) {
  const agent = request(app);
  switch (method) {
    case 'GET': return agent.get(path);
    case 'POST': return agent.post(path);
    case 'PUT': return agent.put(path);
    case 'PATCH': return agent.patch(path);
    default: return agent.delete(path);
  }
}

describe('access control with API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('gated', { requiresApproval: true }),
        rule('plain', { cooldownMinutes: 0 }),
        rule('slow-down', { cooldownMinutes: 0, action: { type: 'throttle', params: {} } }),
      ),
      config: { auth: { apiKeys: API_KEYS, rateLimit: { authFailuresPerMinute: 10_000 } } },
    });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('has an access rule for every route the app serves', () => {
    const table = new Set(ACCESS_POLICY.map((r) => `${r.method} ${r.path}`));
    const served = listExpressRoutes(t.app).map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`);
    expect(served.length).toBeGreaterThan(25);
    const missing = served.filter((r) => !table.has(r));
    expect(missing).toEqual([]);
  });

  it('answers a request without a key with 401 problem+json and WWW-Authenticate: Bearer', async () => {
    const res = await request(t.app).get('/api/self-healing/rules');
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="self-healing"');
    expect(res.body).toMatchObject({ status: 401, code: 'unauthorized', detail: 'an API key is required: send "Authorization: Bearer <key>"' });
  });

  it('answers a wrong or malformed key with 401 invalid_token', async () => {
    for (const header of ['Bearer not-a-key', `Basic ${KEYS.admin}`, `Bearer ${KEYS.admin}x`, 'Bearer']) {
      const res = await request(t.app).get('/api/self-healing/rules').set('Authorization', header);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="self-healing", error="invalid_token"');
      expect(res.type).toBe('application/problem+json');
    }
    const ok = await request(t.app).get('/api/self-healing/rules').set('Authorization', `bearer   ${KEYS.viewer}`);
    expect(ok.status).toBe(200);
  });

  it('gives every route exactly the role of the policy table: below it 403, at it through, without a key 401', async () => {
    for (const entry of ACCESS_POLICY) {
      const path = concrete(entry.path);
      if (entry.access === 'public' || entry.access === 'webhook') {
        // Public routes answer anyone; the webhook answers by its own authentication, not the API keys'.
        const res = await send(t.app, entry.method, path);
        expect([`${entry.method} ${entry.path}`, res.body.code]).not.toEqual([`${entry.method} ${entry.path}`, 'unauthorized']);
        if (entry.access === 'public') expect([entry.path, res.status]).toEqual([entry.path, 200]);
        continue;
      }
      const role = entry.access;
      const label = `${entry.method} ${entry.path}`;
      const anonymous = await send(t.app, entry.method, path);
      expect([label, anonymous.status]).toEqual([label, 401]);
      const allowed = await send(t.app, entry.method, path).set(...bearer(KEY_OF[role]));
      expect([label, [401, 403].includes(allowed.status)]).toEqual([label, false]);
      const below = ROLES[ROLES.indexOf(role) - 1];
      if (below) {
        const denied = await send(t.app, entry.method, path).set(...bearer(KEY_OF[below]));
        expect([label, denied.status, denied.body.code]).toEqual([label, 403, 'insufficient_role']);
        expect(denied.headers['www-authenticate']).toBe('Bearer realm="self-healing", error="insufficient_scope"');
        expect(denied.body).toMatchObject({ requiredRole: role, keyRole: below });
      }
    }
  });

  it('cannot be bypassed by spelling a path differently than the table', async () => {
    for (const path of ['/API/METRICS', '/api/metrics/', '/Api/Self-Healing/Rules/plain/Trigger']) {
      const res = await request(t.app).post(path).send(snapshot({ errorRate: 0.5 }));
      expect([path, res.status]).toEqual([path, 401]);
    }
    const head = await request(t.app).head('/api/self-healing/actions');
    expect(head.status).toBe(401);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('leaves unknown routes to the 404 (or 405 for a known path) and public routes open', async () => {
    expect((await request(t.app).get('/api/nothing-here')).status).toBe(404);
    // No key asked for a method the path does not serve: the answer is 405, not 401.
    expect((await request(t.app).delete('/api/self-healing/actions')).status).toBe(405);
    expect((await request(t.app).get('/api/health')).status).toBe(200);
    expect((await request(t.app).get('/api/ready')).status).toBe(200);
  });

  it('reads no body for a caller without the right key: a malformed body still gets 401, not 400', async () => {
    const res = await request(t.app).post('/api/metrics').set('Content-Type', 'application/json').send('{"source": ');
    expect(res.status).toBe(401);
  });

  it('records the key as the decider; a different `by` in the body is kept as a note', async () => {
    const ingest = await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.5 }, 'agentx'));
    const pending = ingest.body.decisions.find((d: { rule: string }) => d.rule === 'gated');
    expect(pending).toMatchObject({ decision: 'require_approval', status: 'pending_approval' });
    const approved = await request(t.app)
      .post(`/api/self-healing/actions/${pending.actionId}/approve`)
      .set(...bearer(KEYS.approver))
      .send({ by: 'alice', comment: 'looks right' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'succeeded', decidedBy: 'ap', decisionComment: '(by alice) looks right', requestedBy: 'ingest:agentx' });
    const again = await request(t.app)
      .post(`/api/self-healing/actions/${pending.actionId}/reject`)
      .set(...bearer(KEYS.admin))
      .send({ by: 'ad' });
    expect(again.body).toMatchObject({ status: 409, decidedBy: 'ap' });
  });

  it('names the key in the audit log of writes and never logs a secret', async () => {
    const res = await request(t.app)
      .patch('/api/self-healing/rules/plain')
      .set(...bearer(KEYS.admin))
      .send({ enabled: false });
    expect(res.status).toBe(200);
    const audit = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'authorized write');
    expect(audit).toContainEqual(expect.objectContaining({ key: 'ad', role: 'admin', method: 'PATCH', path: '/api/self-healing/rules/plain', status: 200 }));
    const all = t.logLines.join('\n');
    for (const secret of Object.values(KEYS)) expect(all).not.toContain(secret);
    // Restore for the other tests.
    await request(t.app).patch('/api/self-healing/rules/plain').set(...bearer(KEYS.admin)).send({ enabled: true });
  });

  it('records the key as who lifted the throttle and who acknowledged an alert', async () => {
    const fired = await request(t.app).post('/api/metrics?wait=true').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.5 }));
    expect(fired.status).toBe(200);
    const lifted = await request(t.app).delete('/api/self-healing/throttle?by=someone').set(...bearer(KEYS.admin));
    expect(lifted.body).toMatchObject({ active: false, restored: true });
    const restored = t.notifier.ofType('throttle.changed').at(-1);
    expect(restored?.data).toMatchObject({ change: expect.stringMatching(/restor/), by: 'ad' });
    const alerts = await request(t.app).get('/api/self-healing/alerts').set(...bearer(KEYS.viewer));
    const id = alerts.body.items[0].id as string;
    const ack = await request(t.app).post(`/api/self-healing/alerts/${id}/ack`).set(...bearer(KEYS.operator)).send({ by: 'bob' });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedBy).toBe('op');
  });
});

describe('four eyes', () => {
  const restart = rule('restart-agentx', {
    action: { type: 'service_restart', params: { service: 'agentx' } },
    requiresApproval: true,
  });
  const gated = rule('gated', { requiresApproval: true });

  it('refuses, by default for service_restart, an approval from the key that triggered it; rejecting stays allowed', async () => {
    const t = await buildTestApp({ rules: rulesDoc(restart), config: { auth: { apiKeys: API_KEYS } } });
    try {
      const trig = await request(t.app).post('/api/self-healing/rules/restart-agentx/trigger').set(...bearer(KEYS.admin)).send({ reason: 'agentx looks stuck' });
      expect(trig.status).toBe(200);
      const { actionId } = trig.body.decisions[0];
      expect(trig.body.decisions[0]).toMatchObject({ decision: 'require_approval', status: 'pending_approval' });
      const self = await request(t.app).post(`/api/self-healing/actions/${actionId}/approve`).set(...bearer(KEYS.admin)).send({ by: 'ad' });
      expect(self.status).toBe(403);
      expect(self.type).toBe('application/problem+json');
      expect(self.body).toMatchObject({ code: 'four_eyes', requestedBy: 'ad', actionType: 'service_restart' });
      expect(self.body.detail).toMatch(/"ad" requested this service_restart action and cannot approve it too/);
      expect((await t.services.store.getAction(actionId))?.status).toBe('pending_approval');
      const rejected = await request(t.app).post(`/api/self-healing/actions/${actionId}/reject`).set(...bearer(KEYS.admin)).send({ by: 'ad', comment: 'never mind' });
      expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: 'ad', requestedBy: 'ad' });
    } finally {
      await t.stop();
    }
  });

  it('follows auth.fourEyes: a listed type needs another key, an unlisted one does not', async () => {
    const t = await buildTestApp({ rules: rulesDoc(gated), config: { auth: { apiKeys: API_KEYS, fourEyes: ['alert_only'] } } });
    try {
      const first = await request(t.app).post('/api/self-healing/rules/gated/trigger').set(...bearer(KEYS.approver));
      const id = first.body.decisions[0].actionId as string;
      expect((await request(t.app).post(`/api/self-healing/actions/${id}/approve`).set(...bearer(KEYS.approver)).send({ by: 'x' })).status).toBe(403);
      const other = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).set(...bearer(KEYS.approver2)).send({ by: 'ap2' });
      expect(other.body).toMatchObject({ status: 'succeeded', requestedBy: 'ap', decidedBy: 'ap2' });
    } finally {
      await t.stop();
    }
    const u = await buildTestApp({ rules: rulesDoc(gated), config: { auth: { apiKeys: API_KEYS, fourEyes: [] } } });
    try {
      const first = await request(u.app).post('/api/self-healing/rules/gated/trigger').set(...bearer(KEYS.approver));
      const id = first.body.decisions[0].actionId as string;
      const self = await request(u.app).post(`/api/self-healing/actions/${id}/approve`).set(...bearer(KEYS.approver)).send({ by: 'ap' });
      expect(self.body).toMatchObject({ status: 'succeeded', requestedBy: 'ap', decidedBy: 'ap', decisionComment: null });
    } finally {
      await u.stop();
    }
  });
});
