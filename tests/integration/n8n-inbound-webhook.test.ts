import crypto from 'node:crypto';
import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const SECRET = 'inbound-test-secret';

const gated = rule('gated', {
  severity: 'critical',
  requiresApproval: true,
  action: { type: 'alert_only', params: { message: 'needs a human' } },
});

function hmacConfig() {
  return { notifications: { n8n: { url: '', secret: SECRET }, inbound: { auth: 'hmac', token: '', maxSkewSeconds: 300 } } };
}

function signature(raw: string, t: number, secret = SECRET): string {
  return `t=${t},v1=${crypto.createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex')}`;
}

describe('inbound n8n webhook, HMAC mode', () => {
  let t: TestApp;
  let now: number;

  beforeEach(async () => {
    t = await buildTestApp({ rules: rulesDoc(gated), config: hmacConfig() });
    now = Math.floor(t.clock.now().getTime() / 1000);
  });

  afterEach(async () => {
    await t.stop();
  });

  function post(raw: string, sig?: string) {
    const req = request(t.app).post('/api/webhooks/n8n').set('Content-Type', 'application/json');
    if (sig !== undefined) req.set('X-Signature', sig);
    return req.send(raw);
  }

  async function nothingHappened(): Promise<void> {
    expect(await t.services.store.countSnapshots()).toBe(0);
    expect((await t.services.store.listActions({ limit: 10 })).items).toHaveLength(0);
  }

  function expectRefused(res: request.Response, reason: RegExp): void {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'webhook_unauthorized' });
    expect(res.body.detail).toMatch(reason);
  }

  const snapshotMessage = () => JSON.stringify({ type: 'snapshot', snapshot: snapshot({ errorRate: 0.4 }, 'n8n-flow') });

  it('accepts a signed snapshot and runs it through the same pipeline as /api/metrics', async () => {
    const raw = snapshotMessage();
    const res = await post(raw, signature(raw, now));
    expect(res.status).toBe(200);
    expect(res.body.decisions[0]).toMatchObject({ rule: 'gated', decision: 'require_approval', status: 'pending_approval' });
    const action = await t.services.store.getAction(res.body.decisions[0].actionId);
    expect(action).toMatchObject({ requestedBy: 'webhook:n8n', status: 'pending_approval', snapshot: { source: 'n8n-flow' } });
    expect(t.notifier.ofType('action.pending_approval')).toHaveLength(1);
  });

  it('verifies the signature over the raw bytes, not over re-serialized JSON', async () => {
    const raw = `{ "type" : "snapshot",\n  "snapshot": ${JSON.stringify(snapshot({ errorRate: 0.4 }), null, 4)} }`;
    const res = await post(raw, signature(raw, now));
    expect(res.status).toBe(200);
    const reserialized = JSON.stringify(JSON.parse(raw));
    expectRefused(await post(raw, signature(reserialized, now + 1)), /does not match/);
  });

  it('approves and rejects through signed approval messages; the approved action runs', async () => {
    const raw = snapshotMessage();
    const ingest = await post(raw, signature(raw, now));
    const actionId = ingest.body.decisions[0].actionId as string;
    const approve = JSON.stringify({ type: 'approval', actionId, decision: 'approve', by: 'alice', comment: 'go' });
    const res = await post(approve, signature(approve, now));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: actionId, status: 'succeeded', decidedBy: 'alice', decisionComment: 'go' });

    const again = JSON.stringify({ type: 'approval', actionId, decision: 'reject', by: 'bob' });
    const late = await post(again, signature(again, now));
    expect(late.status).toBe(409);

    t.clock.advance(11 * 60_000); // past the rule's cooldown
    const raw2 = JSON.stringify({ type: 'snapshot', snapshot: snapshot({ errorRate: 0.5 }) });
    const second = await post(raw2, signature(raw2, now + 660));
    const secondId = second.body.decisions[0].actionId as string;
    const reject = JSON.stringify({ type: 'approval', actionId: secondId, decision: 'reject', by: 'bob', comment: 'not now' });
    const rejected = await post(reject, signature(reject, now + 660));
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id: secondId, status: 'rejected', decidedBy: 'bob', decisionComment: 'not now' });
  });

  it('answers 401 and does nothing for a missing, malformed or wrong signature', async () => {
    const raw = snapshotMessage();
    expectRefused(await post(raw), /missing X-Signature/);
    expectRefused(await post(raw, 'sha256=abc'), /malformed/);
    expectRefused(await post(raw, signature(raw, now, 'not-the-secret')), /does not match/);
    const other = JSON.stringify({ type: 'snapshot', snapshot: snapshot({ errorRate: 0.9 }) });
    expectRefused(await post(raw, signature(other, now)), /does not match/); // a signature of another body
    await nothingHappened();
  });

  it('answers 401 for a timestamp outside maxSkewSeconds, either way', async () => {
    const raw = snapshotMessage();
    expectRefused(await post(raw, signature(raw, now - 301)), /301s away/);
    expectRefused(await post(raw, signature(raw, now + 301)), /301s away/);
    expect((await post(raw, signature(raw, now - 299))).status).toBe(200);
  });

  it('accepts a signed request once: a replay gets 401 and changes nothing', async () => {
    const raw = snapshotMessage();
    const sig = signature(raw, now);
    expect((await post(raw, sig)).status).toBe(200);
    expectRefused(await post(raw, sig), /replayed/);
    t.clock.advance(60_000);
    expectRefused(await post(raw, sig), /replayed/);
    expect(await t.services.store.countSnapshots()).toBe(1);
    // The same content signed afresh is a new request.
    expect((await post(raw, signature(raw, now + 60))).status).toBe(200);
    expect(await t.services.store.countSnapshots()).toBe(2);
  });

  it('forgets seen signatures only once they are too old to be accepted anyway', async () => {
    const raw = snapshotMessage();
    const sig = signature(raw, now);
    expect((await post(raw, sig)).status).toBe(200);
    t.clock.advance(302_000);
    await t.services.notifications.sweep();
    expectRefused(await post(raw, sig), /away/); // stale now, so still refused
  });

  it('checks the message after authentication: 400 naming every problem, nothing stored', async () => {
    const bad = JSON.stringify({ type: 'approval', actionId: 'nope', decision: 'maybe' });
    const res = await post(bad, signature(bad, now));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/actionId', '/by', '/decision']);
    const badSnapshot = JSON.stringify({ type: 'snapshot', snapshot: { source: '', metrics: 3 } });
    const res2 = await post(badSnapshot, signature(badSnapshot, now));
    expect(res2.status).toBe(400);
    expect(res2.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/snapshot/source', '/snapshot/metrics']));
    const unknown = JSON.stringify({ type: 'hello' });
    const res3 = await post(unknown, signature(unknown, now));
    expect(res3.status).toBe(400);
    expect(res3.body.errors).toEqual([{ pointer: '/type', message: 'must be "snapshot" or "approval"' }]);
    const missing = JSON.stringify({ type: 'approval', actionId: crypto.randomUUID(), decision: 'approve', by: 'x' });
    expect((await post(missing, signature(missing, now))).status).toBe(404);
    await nothingHappened();
  });
});

describe('inbound n8n webhook, bearer-token mode', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({
      rules: rulesDoc(gated),
      config: { notifications: { n8n: { url: '', secret: SECRET }, inbound: { auth: 'token', token: 'tok-0123456789', maxSkewSeconds: 300 } } },
    });
  });

  afterEach(async () => {
    await t.stop();
  });

  const body = () => ({ type: 'snapshot', snapshot: snapshot({ errorRate: 0.4 }) });

  it('accepts the configured bearer token and refuses anything else with 401', async () => {
    const ok = await request(t.app).post('/api/webhooks/n8n').set('Authorization', 'Bearer tok-0123456789').send(body());
    expect(ok.status).toBe(200);
    const wrong = await request(t.app).post('/api/webhooks/n8n').set('Authorization', 'Bearer tok-0123456788').send(body());
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toMatch(/wrong bearer token/);
    const missing = await request(t.app).post('/api/webhooks/n8n').send(body());
    expect(missing.status).toBe(401);
    const raw = JSON.stringify(body());
    const signedOnly = await request(t.app)
      .post('/api/webhooks/n8n')
      .set('Content-Type', 'application/json')
      .set('X-Signature', signature(raw, Math.floor(t.clock.now().getTime() / 1000)))
      .send(raw);
    expect(signedOnly.status).toBe(401); // the mode is token: a signature alone is not enough
    expect(await t.services.store.countSnapshots()).toBe(1);
  });

  it('refuses a replayed X-Request-Id', async () => {
    const send = () =>
      request(t.app).post('/api/webhooks/n8n').set('Authorization', 'Bearer tok-0123456789').set('X-Request-Id', 'n8n-exec-42').send(body());
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/replayed/);
    expect(await t.services.store.countSnapshots()).toBe(1);
  });
});

describe('inbound n8n webhook without a secret', () => {
  it('stays closed: every request gets 401', async () => {
    const t = await buildTestApp({ rules: rulesDoc(gated) });
    try {
      const raw = JSON.stringify({ type: 'snapshot', snapshot: snapshot({ errorRate: 0.4 }) });
      const res = await request(t.app)
        .post('/api/webhooks/n8n')
        .set('Content-Type', 'application/json')
        .set('X-Signature', signature(raw, Math.floor(t.clock.now().getTime() / 1000), ''))
        .send(raw);
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/no secret configured/);
      expect(await t.services.store.countSnapshots()).toBe(0);
    } finally {
      await t.stop();
    }
  });
});
