import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startService, type RunningService } from '../../src/server';
import { freePort } from '../helpers/service-process';
import { makeTempDir } from '../helpers/test-app';
import { mongoUriWithDatabase } from '../helpers/test-store';

/**
 * A shutdown that begins while a request's client has already gone away: the connection is gone,
 * the handler is not. The store must stay open until the handler has written what it was writing.
 */
jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');
const SNAPSHOT = {
  source: 'gone-client',
  timestamp: '2026-03-01T09:59:00Z',
  metrics: { errorRate: 0.01, costPerHour: 2, memoryPercent: 50, diskPercent: 50, queue: { waiting: 1 } },
};

const stores: Array<[string, (dir: string) => Record<string, string>]> = [
  ['SQLite', (dir) => ({ STORE: 'sqlite', SQLITE_PATH: path.join(dir, 'engine.db') })],
];
const mongoUri = process.env.MONGODB_URI;
if (mongoUri) stores.push(['MongoDB (MONGODB_URI)', () => ({ STORE: 'mongo', MONGODB_URI: mongoUriWithDatabase(mongoUri, `shre_shutdown_${process.pid}_${Date.now()}`) })]);

describe.each(stores)('shutdown with a request whose client went away, on %s', (_name, storeEnv) => {
  const dir = makeTempDir('shre-shutdown-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function start(env: Record<string, string>): Promise<RunningService> {
    return startService({ ...env, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'error' });
  }

  it('lets the handler finish and store its batch before the store closes', async () => {
    const rulesFile = path.join(dir, 'rules.json');
    fs.copyFileSync(path.join(ROOT, 'config', 'self-healing-rules.json'), rulesFile);
    const env = { ...storeEnv(dir), RULES_FILE: rulesFile };
    const running = await start(env);

    // The batch handler is held at its start until the test lets it go on.
    const remediation = running.services.remediation;
    const ingestBatch = remediation.ingestBatch.bind(remediation);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const handlerEntered = new Promise<void>((r) => (entered = r));
    remediation.ingestBatch = (async (...args: Parameters<typeof ingestBatch>) => {
      entered();
      await gate;
      return ingestBatch(...args);
    }) as typeof remediation.ingestBatch;

    const body = JSON.stringify({ snapshots: Array.from({ length: 50 }, () => SNAPSHOT) });
    const url = new URL(`${running.url}/api/metrics/batch`);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(body);
    await handlerEntered;
    // The client gives up; then the service is told to stop.
    req.destroy();
    let stopped = false;
    const stopping = running.shutdown('test').then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    release();
    await stopping;

    // Started again on the same store: the whole batch is there.
    const again = await start(env);
    try {
      const res = await fetch(`${again.url}/api/self-healing/snapshots/sources`);
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Array<{ source: string; count: number }> };
      expect(items.find((s) => s.source === 'gone-client')?.count).toBe(50);
    } finally {
      await again.shutdown('test');
    }
  });
});
