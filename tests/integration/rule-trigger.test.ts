import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

describe('manual trigger: POST /api/self-healing/rules/:name/trigger', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('alerting', { cooldownMinutes: 10 }),
        rule('gated', { requiresApproval: true, cooldownMinutes: 1 }),
        rule('off', { enabled: false }),
      ),
    });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('runs the action now, replies like an ingest decision and records who asked and why', async () => {
    const res = await request(t.app).post('/api/self-healing/rules/alerting/trigger?wait=true').send({ reason: 'testing the pager' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rulesVersion: expect.any(String),
      requestedBy: 'manual:unauthenticated',
      decisions: [{ rule: 'alerting', decision: 'execute', status: 'succeeded', actionId: expect.any(String) }],
    });
    const action = await t.services.store.getAction(res.body.decisions[0].actionId);
    expect(action).toMatchObject({
      requestedBy: 'manual:unauthenticated',
      snapshot: null,
      matchedFacts: { manualTrigger: { requestedBy: 'manual:unauthenticated', reason: 'testing the pager' } },
    });
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('goes through the same cooldown as an ingest, both ways', async () => {
    await request(t.app).post('/api/self-healing/rules/alerting/trigger').expect(200);
    const again = await request(t.app).post('/api/self-healing/rules/alerting/trigger');
    expect(again.body.decisions).toEqual([
      { rule: 'alerting', decision: 'cooldown', until: '2026-03-01T10:10:00.000Z', reason: 'in cooldown until 2026-03-01T10:10:00.000Z' },
    ]);
    const ingest = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.5 }));
    expect(ingest.body.decisions.find((d: { rule: string }) => d.rule === 'alerting')).toMatchObject({ decision: 'cooldown' });
    t.clock.advance(10 * 60_000);
    const later = await request(t.app).post('/api/self-healing/rules/alerting/trigger');
    expect(later.body.decisions[0]).toMatchObject({ decision: 'execute' });
  });

  it('goes through the approval gate: a pending action with notification, then one open approval per rule', async () => {
    const res = await request(t.app).post('/api/self-healing/rules/gated/trigger').send({ reason: 'suspicious' });
    expect(res.body.decisions[0]).toMatchObject({ rule: 'gated', decision: 'require_approval', status: 'pending_approval' });
    const [event] = t.notifier.ofType('action.pending_approval');
    expect(event?.action?.id).toBe(res.body.decisions[0].actionId);
    expect(event?.data).toMatchObject({ why: { manualTrigger: { reason: 'suspicious' } }, source: null });
    t.clock.advance(2 * 60_000);
    const again = await request(t.app).post('/api/self-healing/rules/gated/trigger');
    expect(again.body.decisions[0]).toMatchObject({ decision: 'duplicate_pending', actionId: res.body.decisions[0].actionId });
  });

  it('answers an unknown rule with 404, a disabled one with 409, and bad input with 400; nothing is dispatched', async () => {
    const unknown = await request(t.app).post('/api/self-healing/rules/nope/trigger');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('application/problem+json');
    const off = await request(t.app).post('/api/self-healing/rules/off/trigger');
    expect(off.status).toBe(409);
    expect(off.body).toMatchObject({ code: 'rule_disabled', rule: 'off' });
    const badName = await request(t.app).post('/api/self-healing/rules/..%2Fetc/trigger');
    expect(badName.status).toBe(400);
    const badBody = await request(t.app).post('/api/self-healing/rules/alerting/trigger?wait=maybe').send({ reason: 5, extra: true });
    expect(badBody.status).toBe(400);
    const badQuery = await request(t.app).post('/api/self-healing/rules/alerting/trigger?wait=maybe');
    expect(badQuery.body.errors).toEqual([{ pointer: '/query/wait', message: 'must be one of true, false' }]);
    const body = await request(t.app).post('/api/self-healing/rules/alerting/trigger').send({ reason: 5, extra: true });
    expect(body.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/extra', '/reason']);
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
  });
});

describe('manual trigger with keys', () => {
  it('needs an operator key and records the key name as the requester', async () => {
    const t = await buildTestApp({ rules: rulesDoc(rule('alerting')), config: { auth: { apiKeys: API_KEYS } } });
    try {
      expect((await request(t.app).post('/api/self-healing/rules/alerting/trigger')).status).toBe(401);
      expect((await request(t.app).post('/api/self-healing/rules/alerting/trigger').set(...bearer(KEYS.viewer))).status).toBe(403);
      const res = await request(t.app).post('/api/self-healing/rules/alerting/trigger').set(...bearer(KEYS.operator));
      expect(res.body).toMatchObject({ requestedBy: 'op', decisions: [{ decision: 'execute' }] });
      expect((await t.services.store.getAction(res.body.decisions[0].actionId))?.requestedBy).toBe('op');
    } finally {
      await t.stop();
    }
  });
});
