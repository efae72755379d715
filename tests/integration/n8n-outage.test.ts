import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { eventually, WebhookReceiver } from '../helpers/webhook-receiver';

const CAP = 12;

const gated = rule('gated', {
  requiresApproval: true,
  cooldownMinutes: 0,
  conditions: { all: [{ fact: 'gate', operator: 'equal', value: 1 }] },
  action: { type: 'alert_only', params: { message: 'needs a human' } },
  notifications: { channels: ['log', 'n8n'] },
});
const direct = rule('direct', {
  cooldownMinutes: 0,
  conditions: { all: [{ fact: 'costPerHour', operator: 'greaterThan', value: 5 }] },
  action: { type: 'alert_only', params: { message: 'cost' } },
  notifications: { channels: ['log', 'n8n'] },
});

describe('n8n down for a long time', () => {
  let receiver: WebhookReceiver;
  let t: TestApp;

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
    t = await buildTestApp({
      rules: rulesDoc(gated, direct),
      config: {
        notifications: {
          n8n: { url: receiver.url, secret: 'outage-secret' },
          delivery: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 400, timeoutMs: 1000, pollIntervalMs: 20, retentionHours: 168, maxPending: CAP },
          breaker: { errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 200, rollingWindowMs: 60_000 },
        },
        incidents: { notify: 'rule' },
      },
    });
  });

  afterEach(async () => {
    await t.stop();
    await receiver.stop();
  });

  const pendingCount = () => t.services.store.notifications.countOutbox('pending');

  it('keeps remediating, keeps the outbox bounded (oldest kept, drops counted), and delivers the rest in order per action once back', async () => {
    receiver.defaultAnswer = 503;
    // An approval, then its rejection, while n8n refuses: the two must still arrive in that order.
    const gatedId = (await request(t.app).post('/api/metrics').send(snapshot({ gate: 1 }))).body.decisions[0].actionId as string;
    await eventually(() => receiver.requests.length >= 1, 10_000, 'a first refused delivery');
    expect((await request(t.app).post(`/api/self-healing/actions/${gatedId}/reject`).send({ by: 'ops' })).status).toBe(200);

    // Steady ingest during the outage: every action still runs.
    const directIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ costPerHour: 9 }));
      expect(res.status).toBe(200);
      directIds.push(res.body.decisions[0].actionId as string);
      // Time passes (the manual clock): retries and breaker probes come due and keep failing.
      t.clock.advance(500);
      expect(await pendingCount()).toBeLessThanOrEqual(CAP);
    }
    for (const id of directIds) expect((await t.services.store.getAction(id))?.status).toBe('succeeded');
    await eventually(async () => (await t.services.store.committedEvents.pending(1)).length === 0, 10_000, 'the relay to catch up');
    expect(await pendingCount()).toBe(CAP);

    const listed = await request(t.app).get('/api/self-healing/notifications?status=pending&limit=100');
    expect(listed.body.overflow.maxPending).toBe(CAP);
    expect(listed.body.overflow.dropped).toBeGreaterThan(0);
    expect(t.logLines.some((l) => l.includes('notification outbox is full'))).toBe(true);
    // The oldest are the ones kept: the approval's two events among them.
    const kept = (listed.body.items as { event: { action: { id: string } | null; type: string } }[]).filter((i) => i.event.action?.id === gatedId);
    expect(kept.map((i) => i.event.type).sort()).toEqual(['action.pending_approval', 'action.rejected']);

    // Long after: failed probes used up no entry's attempts.
    for (let i = 0; i < 20; i++) {
      t.clock.advance(1000);
      await eventually(async () => (await pendingCount()) === CAP, 5_000, 'the outbox to stay as it was');
    }
    expect(await t.services.store.notifications.countOutbox('failed')).toBe(0);

    receiver.defaultAnswer = 200;
    await eventually(
      async () => {
        t.clock.advance(500);
        return (await pendingCount()) === 0;
      },
      20_000,
      'everything queued to be delivered once n8n is back',
    );
    const delivered = receiver.delivered().map((r) => r.json as { id: string; type: string; action: { id: string } | null });
    expect(new Set(delivered.map((e) => e.id)).size).toBe(CAP);
    const ofGated = delivered.filter((e) => e.action?.id === gatedId).map((e) => e.type);
    expect(ofGated).toEqual(['action.pending_approval', 'action.rejected']);
  });
});
