import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const gated = rule('gated', {
  severity: 'critical',
  requiresApproval: true,
  cooldownMinutes: 5,
  action: { type: 'alert_only', params: { message: 'needs a human' } },
  notifications: { channels: ['log', 'oncall'] },
});

async function createPending(t: TestApp): Promise<string> {
  const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }, 'agentx'));
  expect(res.body.decisions[0]).toMatchObject({ rule: 'gated', decision: 'require_approval', status: 'pending_approval' });
  return res.body.decisions[0].actionId as string;
}

describe('approval gate', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: rulesDoc(gated), config: { approvals: { timeoutMinutes: 60 } } });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('records a pending action with what a person needs to decide, and tells them', async () => {
    const id = await createPending(t);
    const res = await request(t.app).get(`/api/self-healing/actions/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rule: 'gated',
      type: 'alert_only',
      params: { message: 'needs a human' },
      status: 'pending_approval',
      requestedBy: 'ingest:agentx',
      expiresAt: '2026-03-01T11:00:00.000Z',
      matchedFacts: { errorRate: 0.4 },
      snapshot: { source: 'agentx', metrics: { errorRate: 0.4 } },
    });
    const [event] = t.notifier.ofType('action.pending_approval');
    expect(event?.action?.id).toBe(id);
    expect(event?.data).toMatchObject({ why: { errorRate: 0.4 }, expiresAt: '2026-03-01T11:00:00.000Z' });
  });

  it('keeps one open approval per rule: later matches report the pending one', async () => {
    const id = await createPending(t);
    t.clock.advance(6 * 60_000); // past the cooldown, approval still open
    const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }));
    expect(res.body.decisions[0]).toMatchObject({ decision: 'duplicate_pending', actionId: id });
    const pending = await request(t.app).get('/api/self-healing/actions?status=pending_approval');
    expect(pending.body.items).toHaveLength(1);
  });

  it('approve runs the action and replies with its outcome; a second decision gets 409', async () => {
    const id = await createPending(t);
    const approved = await request(t.app)
      .post(`/api/self-healing/actions/${id}/approve`)
      .send({ by: 'alice', comment: 'go' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'succeeded', decidedBy: 'alice', decisionComment: 'go' });
    expect(approved.body.result.summary).toBeTruthy();
    const alerts = await t.services.store.listAlerts({ limit: 10 });
    expect(alerts.items).toHaveLength(1);
    const again = await request(t.app).post(`/api/self-healing/actions/${id}/reject`).send({ by: 'bob' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, code: 'already_decided', actionStatus: 'succeeded', decidedBy: 'alice' });
    expect(again.body.detail).toMatch(/succeeded by alice/);
    expect(t.notifier.ofType('action.succeeded')).toHaveLength(1);
  });

  it('lets exactly one of many concurrent decisions win', async () => {
    const id = await createPending(t);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(t.app)
          .post(`/api/self-healing/actions/${id}/${i % 2 === 0 ? 'approve' : 'reject'}`)
          .send({ by: `person-${i}` }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(9);
    const alerts = await t.services.store.listAlerts({ limit: 10 });
    const final = (await request(t.app).get(`/api/self-healing/actions/${id}`)).body;
    expect(['succeeded', 'rejected']).toContain(final.status);
    expect(alerts.items).toHaveLength(final.status === 'succeeded' ? 1 : 0);
  });

  it('reject records who and why, runs nothing, and tells people', async () => {
    const id = await createPending(t);
    const res = await request(t.app).post(`/api/self-healing/actions/${id}/reject`).send({ by: 'bob', comment: 'false alarm' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', decidedBy: 'bob', decisionComment: 'false alarm' });
    expect((await t.services.store.listAlerts({ limit: 10 })).items).toHaveLength(0);
    expect(t.notifier.ofType('action.rejected')).toHaveLength(1);
    expect(t.notifier.ofType('action.rejected')[0]?.channels).toEqual(['log', 'oncall']);
  });

  it('expires overdue approvals exactly once, and refuses decisions after the deadline', async () => {
    const id = await createPending(t);
    t.clock.advance(59 * 60_000);
    expect(await t.services.approvals.expireOverdue()).toBe(0);
    t.clock.advance(60_000);
    const [a, b] = await Promise.all([t.services.approvals.expireOverdue(), t.services.approvals.expireOverdue()]);
    expect(a + b).toBe(1);
    expect(t.notifier.ofType('action.expired')).toHaveLength(1);
    expect(t.notifier.ofType('action.expired')[0]?.channels).toEqual(['log', 'oncall']);
    const res = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'late' });
    expect(res.status).toBe(409);
    expect((await request(t.app).get(`/api/self-healing/actions/${id}`)).body.status).toBe('expired');
  });

  it('refuses a decision that arrives after the deadline even before the sweep ran', async () => {
    const id = await createPending(t);
    t.clock.advance(61 * 60_000);
    const res = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'late' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('approval_expired');
    expect((await request(t.app).get(`/api/self-healing/actions/${id}`)).body.status).toBe('expired');
  });

  it('expires an overdue approval the sweep has not reached when its rule matches again, so the rule asks anew', async () => {
    const id = await createPending(t);
    // gated: cooldown 5 min, approval 60 min. Just before the deadline the approval still holds.
    t.clock.advance(60 * 60_000 - 1);
    const before = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }, 'agentx'));
    expect(before.body.decisions[0]).toMatchObject({ decision: 'duplicate_pending', actionId: id });
    t.clock.advance(1);
    const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }, 'agentx'));
    expect(res.body.decisions[0]).toMatchObject({ rule: 'gated', decision: 'require_approval', status: 'pending_approval' });
    expect(res.body.decisions[0].actionId).not.toBe(id);
    expect((await request(t.app).get(`/api/self-healing/actions/${id}`)).body.status).toBe('expired');
    expect(t.notifier.ofType('action.expired').map((e) => e.action?.id)).toEqual([id]);
    // The sweep finds nothing left to expire, and says nothing again.
    expect(await t.services.approvals.expireOverdue()).toBe(0);
    expect(t.notifier.ofType('action.expired')).toHaveLength(1);
  });

  it('validates decisions and ids', async () => {
    const id = await createPending(t);
    expect((await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({})).status).toBe(400);
    expect((await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'x', extra: true })).status).toBe(400);
    expect((await request(t.app).post('/api/self-healing/actions/not-an-id/approve').send({ by: 'x' })).status).toBe(400);
    const missing = await request(t.app)
      .post('/api/self-healing/actions/00000000-0000-4000-8000-000000000000/approve')
      .send({ by: 'x' });
    expect(missing.status).toBe(404);
    expect((await request(t.app).get(`/api/self-healing/actions/${id}`)).body.status).toBe('pending_approval');
  });
});

describe('approval defaults', () => {
  it('service_restart needs approval by default; a rule can override any type', async () => {
    const t = await buildTestApp({
      rules: rulesDoc(
        rule('restart', { action: { type: 'service_restart', params: { service: 'agentx' } } }),
        rule('restart-auto', {
          requiresApproval: false,
          conditions: { all: [{ fact: 'never', operator: 'equal', value: true }] },
          action: { type: 'service_restart', params: { service: 'agentx' } },
        }),
        rule('alert-gated', { requiresApproval: true }),
      ),
    });
    try {
      const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }));
      const byRule = Object.fromEntries(res.body.decisions.map((d: { rule: string; decision: string }) => [d.rule, d.decision]));
      expect(byRule).toEqual({ restart: 'require_approval', 'alert-gated': 'require_approval' });
      const sim = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'restart-auto' });
      expect(sim.body.results[0]).toMatchObject({ requiresApproval: false, decision: 'execute' });
    } finally {
      await t.stop();
    }
  });
});
