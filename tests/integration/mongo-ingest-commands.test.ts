import mongoose from 'mongoose';
import request from 'supertest';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';
import { mongoUriWithDatabase } from '../helpers/test-store';

/**
 * What an ingest costs the MongoDB server, counted by the driver's command monitoring: every
 * command the service sends on behalf of one request (the request's logging context is active
 * when the driver starts it), so the service's own background work in between is not counted.
 */
jest.setTimeout(60_000);

const HEALTHY = {
  ollama: { avgResponseTimeMs: 1200, errorRate: 0.01 },
  errorRate: 0.012,
  costPerHour: 2.4,
  memoryPercent: 61,
  diskPercent: 72,
  queue: { waiting: 42 },
  services: { agentx: { status: 'online' }, rag: { status: 'online' } },
};
/** Five shipped rules match this (alerts and a throttle, acting inside the service). */
const UNHEALTHY = { ...HEALTHY, errorRate: 0.07, costPerHour: 6.2, memoryPercent: 90, diskPercent: 93, queue: { waiting: 800 } };
const body = (metrics: Record<string, unknown>) => ({ source: 'agentx', timestamp: '2026-03-01T09:59:00Z', metrics });

const uri = process.env.MONGODB_URI;

(uri ? describe : describe.skip)('MongoDB commands a request (MONGODB_URI)', () => {
  let t: TestApp;
  /** Commands started per request id: `collection.command`. */
  const byRequest = new Map<string, string[]>();
  const conns: mongoose.Connection[] = [];

  beforeAll(async () => {
    const dir = makeTempDir('shre-commands-');
    // The store opens its own connection: this one gets command monitoring.
    const create = mongoose.createConnection.bind(mongoose);
    const spy = jest.spyOn(mongoose, 'createConnection').mockImplementation(((u: string, o?: mongoose.ConnectOptions) => {
      const conn = create(u, { ...o, monitorCommands: true });
      conns.push(conn);
      return conn;
    }) as typeof mongoose.createConnection);
    try {
      t = await buildTestApp({ dir, config: { store: { type: 'mongo', mongo: { uri: mongoUriWithDatabase(uri!, `shre_commands_${process.pid}`) } } } });
    } finally {
      spy.mockRestore();
    }
    for (const conn of conns) {
      conn.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
        const requestId = t.services.logging.context.getStore()?.requestId as string | undefined;
        if (requestId === undefined) return;
        const list = byRequest.get(requestId) ?? [];
        list.push(`${String(e.command[e.commandName])}.${e.commandName}`);
        byRequest.set(requestId, list);
      });
    }
  });

  afterAll(async () => {
    if (!t) return;
    await conns[0]?.dropDatabase().catch(() => undefined);
    await t.stop();
  });

  async function commandsOf(route: string, payload: unknown): Promise<string[]> {
    const res = await request(t.app).post(route).send(payload as object).expect(200);
    return byRequest.get(res.headers['x-request-id'] as string) ?? [];
  }

  it('a snapshot that matches nothing costs its one insert', async () => {
    expect(await commandsOf('/api/metrics', body(HEALTHY))).toEqual(['snapshots.insert']);
  });

  it('a batch of 100 costs one bulk insert', async () => {
    const snapshots = Array.from({ length: 100 }, () => body(HEALTHY));
    expect(await commandsOf('/api/metrics/batch', { snapshots })).toEqual(['snapshots.insert']);
  });

  it('a snapshot whose matches are all in cooldown costs its insert and no read', async () => {
    const first = await commandsOf('/api/metrics', body(UNHEALTHY));
    expect(first.filter((c) => c.endsWith('.insert')).length).toBeGreaterThan(1); // it dispatched
    expect(await commandsOf('/api/metrics', body(UNHEALTHY))).toEqual(['snapshots.insert']);
  });
});
