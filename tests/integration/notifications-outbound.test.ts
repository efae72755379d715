import crypto from 'node:crypto';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { buildEvent } from '../../src/domain/events';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { countCalls, waitFor } from '../helpers/wait-for';
import { type ReceivedRequest, WebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'outbound-test-secret';

const gated = rule('gated', {
  severity: 'critical',
  requiresApproval: true,
  action: { type: 'alert_only', params: { message: 'needs a human' } },
  notifications: { channels: ['log', 'n8n'] },
});
const direct = rule('direct', { conditions: { all: [{ fact: 'costPerHour', operator: 'greaterThan', value: 5 }] } });

function notificationsConfig(url: string, over: { delivery?: object; breaker?: object } = {}) {
  return {
    notifications: {
      n8n: { url, secret: SECRET },
      delivery: { maxAttempts: 4, initialDelayMs: 1000, maxDelayMs: 8000, timeoutMs: 1000, pollIntervalMs: 20, retentionHours: 168, ...over.delivery },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 50, resetTimeoutMs: 300, rollingWindowMs: 10_000, ...over.breaker },
    },
    // The rules' own events, one per action (incident notices are tested in outage-incident.test.ts).
    incidents: { notify: 'rule' },
  };
}

/** What a receiver does: recompute the HMAC over the bytes as they arrived and compare. */
function verify(req: ReceivedRequest): { t: number; ok: boolean } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-signature']));
  if (!m) return { t: NaN, ok: false };
  const expected = crypto.createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`${m[1]}.`), req.raw])).digest('hex');
  return { t: Number(m[1]), ok: expected === m[2] };
}

/**
 * Resolves once the dispatcher has read the outbox three more times: the second read surely saw the
 * caller's change (the first may have read the clock before it), and the third began only after the
 * second one's sends had finished. Anything due would have reached the receiver by then.
 */
async function dispatcherLooksAgain(t: TestApp): Promise<void> {
  const reads = outboxReads(t);
  const mark = reads.mark();
  await waitFor(() => reads.completedSince(mark) >= 3, { what: 'the dispatcher to read the outbox again' });
}

const readCounters = new WeakMap<TestApp, ReturnType<typeof countCalls>>();
function outboxReads(t: TestApp): ReturnType<typeof countCalls> {
  let counter = readCounters.get(t);
  if (!counter) {
    counter = countCalls(t.store.notifications, 'claimDueOutbox');
    readCounters.set(t, counter);
  }
  return counter;
}

async function outbox(t: TestApp, query = ''): Promise<Array<Record<string, any>>> {
  const res = await request(t.app).get(`/api/self-healing/notifications${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('outbound events to n8n', () => {
  let receiver: WebhookReceiver;
  const apps: TestApp[] = [];

  async function app(options: Parameters<typeof buildTestApp>[0]): Promise<TestApp> {
    const t = await buildTestApp(options);
    apps.push(t);
    return t;
  }

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });

  afterEach(async () => {
    for (const t of apps.splice(0)) await t.stop().catch(() => undefined);
    await receiver.stop();
  });

  it('POSTs each event as the documented envelope, signed over the exact bytes sent', async () => {
    const t = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url) });
    const ingest = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }, 'agentx'));
    const actionId = ingest.body.decisions[0].actionId as string;
    const [req] = await waitFor(() => receiver.requests.length >= 1 && receiver.requests, { timeoutMs: 10_000, what: 'the first delivery' });

    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toBe('application/json');
    const sig = verify(req!);
    expect(sig.ok).toBe(true);
    expect(sig.t).toBe(Math.floor(t.clock.now().getTime() / 1000));
    const body = req!.json as Record<string, any>;
    expect(Object.keys(body)).toEqual(['id', 'type', 'occurredAt', 'rule', 'severity', 'action', 'data', 'incidentId']);
    expect(req!.headers['x-event-id']).toBe(body.id);
    expect(body.id).toBe(t.notifier.ofType('action.pending_approval')[0]!.id);
    expect(body).toMatchObject({
      type: 'action.pending_approval',
      occurredAt: '2026-03-01T10:00:00.000Z',
      rule: 'gated',
      severity: 'critical',
      action: { id: actionId, type: 'alert_only', status: 'pending_approval', params: { message: 'needs a human' } },
    });
    // What a person needs to decide, and how to answer.
    expect(body.data).toMatchObject({
      why: { errorRate: 0.4 },
      willRun: { type: 'alert_only', params: { message: 'needs a human' } },
      expiresAt: '2026-03-01T11:00:00.000Z',
      requestedBy: 'ingest:agentx',
      source: 'agentx',
      answer: {
        approve: `POST /api/self-healing/actions/${actionId}/approve`,
        webhook: {
          method: 'POST',
          url: '/api/webhooks/n8n',
          approve: { type: 'approval', actionId, decision: 'approve' },
          reject: { type: 'approval', actionId, decision: 'reject' },
        },
      },
    });
    expect(body.data.summary).toContain('errorRate = 0.4');
    expect(body.data.summary).toContain('2026-03-01T11:00:00.000Z');

    const [entry] = await waitFor(async () => {
      const items = await outbox(t);
      return items[0]?.status === 'delivered' && items;
    });
    expect(entry).toMatchObject({
      eventId: body.id,
      type: 'action.pending_approval',
      destination: 'n8n',
      status: 'delivered',
      attempts: 1,
      lastError: null,
      lastStatusCode: 200,
      nextAttemptAt: null,
      deliveredAt: '2026-03-01T10:00:00.000Z',
      event: body,
    });
    expect(JSON.stringify(entry)).not.toContain(receiver.url);
  });

  it('sends every event type it raises when n8n.url is set, whatever channels the rule names', async () => {
    const t = await app({ rules: rulesDoc(direct), config: notificationsConfig(receiver.url) });
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 9 })).expect(200);
    const types = await waitFor(() => receiver.requests.length >= 2 && receiver.requests.map((r) => (r.json as { type: string }).type));
    expect(types.sort()).toEqual(['action.succeeded', 'alert.created']);
  });

  it('retries with exponential backoff and jitter, resending the same id and bytes', async () => {
    const t = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url) });
    receiver.answer(500, 502);
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 })).expect(200);

    let [entry] = await waitFor(async () => {
      const items = await outbox(t);
      return items[0]?.attempts === 1 && items;
    });
    let now = t.clock.now().getTime();
    expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(entry!.lastError).toMatch(/^HTTP 500/);
    let next = Date.parse(entry!.nextAttemptAt);
    expect(next - now).toBeGreaterThanOrEqual(500); // attempt 1 failed: 1000 ms with equal jitter
    expect(next - now).toBeLessThanOrEqual(1000);
    await dispatcherLooksAgain(t);
    expect(receiver.requests).toHaveLength(1); // not due yet: nothing is sent

    t.clock.set(new Date(next));
    [entry] = await waitFor(async () => {
      const items = await outbox(t);
      return items[0]?.attempts === 2 && items;
    });
    now = t.clock.now().getTime();
    next = Date.parse(entry!.nextAttemptAt);
    expect(entry!.lastError).toMatch(/^HTTP 502/);
    expect(next - now).toBeGreaterThanOrEqual(1000); // attempt 2 failed: 2000 ms with equal jitter
    expect(next - now).toBeLessThanOrEqual(2000);

    t.clock.set(new Date(next));
    [entry] = await waitFor(async () => {
      const items = await outbox(t);
      return items[0]?.status === 'delivered' && items;
    });
    expect(entry).toMatchObject({ attempts: 3, lastError: null, lastStatusCode: 200 });

    expect(receiver.requests.map((r) => r.answered)).toEqual([500, 502, 200]);
    expect(receiver.requests.map((r) => r.headers['x-delivery-attempt'])).toEqual(['1', '2', '3']);
    const ids = new Set(receiver.requests.map((r) => r.headers['x-event-id']));
    expect(ids.size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.raw.toString('base64'))).size).toBe(1);
    const sigs = receiver.requests.map(verify);
    expect(sigs.every((s) => s.ok)).toBe(true);
    expect(sigs[2]!.t).toBeGreaterThan(sigs[0]!.t); // each attempt is signed afresh
  });

  it('marks an event failed after maxAttempts and lists it by status and type', async () => {
    const t = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url, { delivery: { maxAttempts: 2 } }) });
    receiver.defaultAnswer = 503;
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 })).expect(200);
    await waitFor(async () => (await outbox(t))[0]?.attempts === 1);
    t.clock.advance(60_000);
    const [failed] = await waitFor(async () => {
      const items = await outbox(t, '?status=failed');
      return items.length === 1 && items;
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 503, nextAttemptAt: null, deliveredAt: null });
    expect(failed!.lastError).toContain('HTTP 503');
    t.clock.advance(3_600_000);
    await dispatcherLooksAgain(t);
    expect(receiver.requests).toHaveLength(2); // failed stays failed

    expect(await outbox(t, '?status=pending,delivered')).toHaveLength(0);
    expect(await outbox(t, '?type=action.pending_approval&status=failed')).toHaveLength(1);
    expect(await outbox(t, '?type=action.succeeded')).toHaveLength(0);
    const bad = await request(t.app).get('/api/self-healing/notifications?status=lost&type=nope&extra=1');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/query/extra', '/query/status', '/query/type']);
  });

  it('pages through deliveries newest first', async () => {
    const t = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url) });
    for (let i = 0; i < 5; i += 1) {
      t.services.notifier.notify(buildEvent('alert.created', t.clock.now(), { data: { n: i } }));
      t.clock.advance(1000);
    }
    await waitFor(() => receiver.delivered().length === 5);
    const first = await request(t.app).get('/api/self-healing/notifications?limit=2');
    expect(first.body.items.map((i: { event: { data: { n: number } } }) => i.event.data.n)).toEqual([4, 3]);
    const second = await request(t.app).get(`/api/self-healing/notifications?limit=2&cursor=${first.body.nextCursor}`);
    const third = await request(t.app).get(`/api/self-healing/notifications?limit=2&cursor=${second.body.nextCursor}`);
    expect(second.body.items.map((i: { event: { data: { n: number } } }) => i.event.data.n)).toEqual([2, 1]);
    expect(third.body.items.map((i: { event: { data: { n: number } } }) => i.event.data.n)).toEqual([0]);
    expect(third.body.nextCursor).toBeNull();
  });

  it('a slow or dead n8n neither blocks nor fails remediation', async () => {
    receiver.defaultAnswer = 'hang';
    const t = await app({ rules: rulesDoc(direct), config: notificationsConfig(receiver.url, { delivery: { timeoutMs: 300 } }) });
    const started = Date.now();
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 9 }));
    expect(res.status).toBe(200);
    expect(res.body.decisions[0]).toMatchObject({ rule: 'direct', decision: 'execute', status: 'succeeded' });
    expect(Date.now() - started).toBeLessThan(2000);
    const items = await waitFor(async () => {
      const list = await outbox(t);
      return list.length === 2 && list.every((i) => i.attempts >= 1) && list;
    });
    for (const item of items) {
      expect(item).toMatchObject({ status: 'pending', lastError: 'request failed: no answer within 300 ms' });
    }
  });

  it('keeps undelivered events across a restart and sends them afterwards, same id', async () => {
    receiver.defaultAnswer = 503;
    const first = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url) });
    await request(first.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 })).expect(200);
    const eventId = first.notifier.ofType('action.pending_approval')[0]!.id;
    await waitFor(async () => (await outbox(first))[0]?.attempts === 1);
    await first.stop();
    apps.splice(apps.indexOf(first), 1);
    expect(receiver.delivered()).toHaveLength(0);

    receiver.defaultAnswer = 200;
    // Half an hour later: past the retry delay, before the approval itself expires.
    const later = new ManualClock(new Date(first.clock.now().getTime() + 30 * 60_000));
    const second = await app({ dir: first.dir, clock: later, config: notificationsConfig(receiver.url) });
    const delivered = await waitFor(() => receiver.delivered().length === 1 && receiver.delivered(), { timeoutMs: 10_000, what: 'delivery after restart' });
    expect(delivered[0]!.headers['x-event-id']).toBe(eventId);
    expect((delivered[0]!.json as { id: string }).id).toBe(eventId);
    expect(verify(delivered[0]!).ok).toBe(true);
    const [entry] = await outbox(second);
    expect(entry).toMatchObject({ eventId, status: 'delivered', attempts: 2 });
  });

  it('opens the circuit breaker on a failing n8n instead of hammering it, and recovers', async () => {
    receiver.defaultAnswer = 500;
    const t = await app({
      rules: rulesDoc(gated),
      config: notificationsConfig(receiver.url, { delivery: { maxAttempts: 10 }, breaker: { volumeThreshold: 3, resetTimeoutMs: 300 } }),
    });
    for (let i = 0; i < 6; i += 1) t.services.notifier.notify(buildEvent('alert.created', t.clock.now(), { data: { n: i } }));
    const open = await waitFor(async () => {
      const res = await request(t.app).get('/api/self-healing/notifications');
      const items = res.body.items as Array<Record<string, any>>;
      return res.body.breakers.n8n === 'open' && items.length === 6 && items.every((i) => i.lastError !== null) && items;
    });
    expect(receiver.requests).toHaveLength(3); // the breaker opened after 3 failures; the rest were not sent
    expect(open.filter((i) => i.attempts === 1 && /^HTTP 500/.test(i.lastError))).toHaveLength(3);
    expect(open.filter((i) => i.attempts === 0 && /circuit open/.test(i.lastError))).toHaveLength(3);
    t.clock.advance(60_000);
    await dispatcherLooksAgain(t);
    expect(receiver.requests).toHaveLength(3); // still open: due entries are put back untouched

    receiver.defaultAnswer = 200;
    // After resetTimeoutMs (real time, opossum's own timer) the breaker lets one probe through.
    await waitFor(async () => (await request(t.app).get('/api/self-healing/notifications')).body.breakers.n8n === 'half_open', {
      what: 'the breaker to half-open',
    });
    t.clock.advance(10 * 60_000);
    await waitFor(() => receiver.delivered().length === 6, { timeoutMs: 10_000, what: 'all six delivered' });
    const res = await request(t.app).get('/api/self-healing/notifications');
    expect(res.body.breakers.n8n).toBe('closed');
    expect(res.body.items.every((i: { status: string }) => i.status === 'delivered')).toBe(true);
    expect(new Set(receiver.delivered().map((r) => r.headers['x-event-id'])).size).toBe(6);
  });

  it('two instances on one store send each event once', async () => {
    const a = await app({ rules: rulesDoc(gated), config: notificationsConfig(receiver.url, { delivery: { pollIntervalMs: 10 } }) });
    const b = await app({ dir: a.dir, clock: a.clock, config: notificationsConfig(receiver.url, { delivery: { pollIntervalMs: 10 } }) });
    for (let i = 0; i < 30; i += 1) {
      (i % 2 === 0 ? a : b).services.notifier.notify(buildEvent('alert.created', a.clock.now(), { data: { n: i } }));
    }
    await waitFor(() => receiver.requests.length >= 30, { timeoutMs: 10_000, what: '30 deliveries' });
    await waitFor(async () => (await outbox(a, '?limit=100')).every((i) => i.status === 'delivered'), { what: 'all 30 recorded as delivered' });
    await Promise.all([dispatcherLooksAgain(a), dispatcherLooksAgain(b)]);
    const ids = receiver.requests.map((r) => r.headers['x-event-id']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('sends to a named webhook channel only the events whose rule names it', async () => {
    const other = await new WebhookReceiver().start();
    try {
      const t = await app({
        rules: rulesDoc({ ...gated, notifications: { channels: ['log', 'ops'] } }),
        config: { notifications: { ...notificationsConfig('').notifications, n8n: { url: '', secret: SECRET }, channels: { ops: other.url } } },
      });
      await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 })).expect(200);
      t.services.notifier.notify(buildEvent('alert.created', t.clock.now(), { channels: ['log'] }));
      await waitFor(() => other.requests.length === 1);
      await waitFor(async () => (await outbox(t))[0]?.status === 'delivered', { what: 'the delivery to be recorded' });
      await dispatcherLooksAgain(t);
      expect(other.requests).toHaveLength(1);
      expect((other.json(0) as { type: string }).type).toBe('action.pending_approval');
      expect(receiver.requests).toHaveLength(0);
      const [entry] = await outbox(t);
      expect(entry).toMatchObject({ destination: 'ops', status: 'delivered' });
    } finally {
      await other.stop();
    }
  });

  it('refuses to start with a webhook URL but no secret', async () => {
    await expect(buildTestApp({ rules: rulesDoc(gated), config: { notifications: { n8n: { url: receiver.url, secret: '' } } } })).rejects.toThrow(
      /notifications\.n8n\.secret/,
    );
  });
});
