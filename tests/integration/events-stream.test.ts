import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { openSse, type SseConnection } from '../helpers/sse-client';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/** GET /api/events: the events the n8n outbox carries, as numbered server-sent events. */

const RULES = rulesDoc(
  rule('gated', { conditions: { all: [{ fact: 'gate', operator: 'equal', value: true }] }, requiresApproval: true, cooldownMinutes: 0 }),
  rule('plain', { cooldownMinutes: 0 }),
);
const CONFIG = {
  auth: { apiKeys: API_KEYS },
  console: { events: { pollIntervalMs: 30, heartbeatMs: 5000 } },
  // An n8n URL that nobody answers: the outbox fills up, and nothing is delivered.
  notifications: { n8n: { url: 'http://127.0.0.1:9/hook', secret: 'events-secret' }, delivery: { pollIntervalMs: 60_000 } },
  incidents: { notify: 'rule' },
};

async function listen(t: TestApp): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('GET /api/events', () => {
  let t: TestApp;
  let server: { url: string; close(): Promise<void> };
  const open: SseConnection[] = [];
  const connect = async (headers: Record<string, string>, query = '') => {
    const c = await openSse(`${server.url}/api/events${query}`, headers);
    open.push(c);
    return c;
  };

  beforeEach(async () => {
    t = await buildTestApp({ rules: RULES, config: CONFIG });
    server = await listen(t);
  });

  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    await server.close();
    await t.stop();
  });

  it('needs a viewer key and Accept: text/event-stream', async () => {
    expect((await request(t.app).get('/api/events').set('Accept', 'text/event-stream')).status).toBe(401);
    const plain = await request(t.app).get('/api/events').set(...bearer(KEYS.viewer));
    expect(plain.status).toBe(406);
    expect(plain.body.code).toBe('not_acceptable');
  });

  it('streams a new pending approval and a finished action as they happen, carrying the outbox envelope', async () => {
    const stream = await connect({ Authorization: `Bearer ${KEYS.viewer}` });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ gate: true, errorRate: 0.3 })).expect(200);
    const events = await stream.waitFor((es) => es.some((e) => e.event === 'action.pending_approval') && es.some((e) => e.event === 'action.succeeded'));
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const pending = JSON.parse(events.find((e) => e.event === 'action.pending_approval')!.data);
    expect(pending).toMatchObject({ type: 'action.pending_approval', rule: 'gated', action: { status: 'pending_approval' } });
    // Byte for byte what the n8n webhook is sent.
    await t.services.notifications.notifier.flush();
    const outbox = await t.services.notifications.list({ limit: 50 });
    for (const e of events) {
      const entry = outbox.items.find((o) => o.eventId === JSON.parse(e.data).id)!;
      expect(entry.payload).toBe(e.data);
    }
  });

  it('resumes after Last-Event-ID, and follow=false sends what there is and closes', async () => {
    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.3 })).expect(200);
    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.4 })).expect(200);
    await t.services.events.flush();
    const all = await connect({ Authorization: `Bearer ${KEYS.viewer}`, 'Last-Event-ID': '0' }, '?follow=false');
    await all.ended;
    expect(all.events.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
    const rest = await connect({ Authorization: `Bearer ${KEYS.viewer}`, 'Last-Event-ID': '2' }, '?follow=false');
    await rest.ended;
    expect(rest.events.map((e) => e.id)).toEqual(['3', '4']);
    expect(rest.events.map((e) => e.data)).toEqual(all.events.slice(2).map((e) => e.data));
    const bad = await request(t.app).get('/api/events?follow=false').set(...bearer(KEYS.viewer)).set('Accept', 'text/event-stream').set('Last-Event-ID', '-1');
    expect(bad.status).toBe(400);
  });

  it('without Last-Event-ID starts from now, and a console session may listen too', async () => {
    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.3 })).expect(200);
    await t.services.events.flush();
    const signIn = await request(t.app).post('/api/session').send({ apiKey: KEYS.viewer });
    const cookie = String((signIn.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
    const before = await t.services.events.last();
    const stream = await connect({ Cookie: cookie });
    expect(stream.status).toBe(200);
    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.5 })).expect(200);
    const events = await stream.waitFor((es) => es.some((e) => e.event === 'action.succeeded'));
    expect(Number(events[0]!.id)).toBeGreaterThan(before);
  });

  it('delivers events another instance sharing the store journaled', async () => {
    const other = await buildTestApp({ dir: t.dir, clock: t.clock, rules: RULES, config: CONFIG });
    try {
      const stream = await connect({ Authorization: `Bearer ${KEYS.viewer}` });
      await request(other.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ gate: true })).expect(200);
      const events = await stream.waitFor((es) => es.some((e) => e.event === 'action.pending_approval'));
      expect(JSON.parse(events[0]!.data)).toMatchObject({ rule: 'gated' });
    } finally {
      await other.stop();
    }
  });
});
