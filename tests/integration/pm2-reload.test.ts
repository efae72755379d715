import fs from 'node:fs';
import path from 'node:path';
import { Pm2Daemon } from '../helpers/pm2-daemon';
import { freePort, SERVER_JS } from '../helpers/service-process';
import { DEFAULT_RULES_FILE, makeTempDir } from '../helpers/test-app';
import { eventually } from '../helpers/webhook-receiver';

jest.setTimeout(120_000);

const APP = 'engine-reload';
const CLIENTS = 4;

/**
 * `pm2 reload` of the engine in cluster mode (two workers on one port) under four steady clients:
 * every request gets its answer. The old worker stops listening, answers what still comes on its
 * open keep-alive sockets with `Connection: close`, and finishes what is in flight before it exits.
 */
describe('pm2 reload under load', () => {
  const pm2 = new Pm2Daemon();
  const dir = makeTempDir('shre-reload-');

  afterAll(async () => {
    await pm2.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request while both workers are replaced', async () => {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run "npm run build" (npm test does)`);
    const port = await freePort();
    const rulesFile = path.join(dir, 'rules.json');
    fs.copyFileSync(DEFAULT_RULES_FILE, rulesFile);
    const ecosystem = path.join(dir, 'ecosystem.json');
    fs.writeFileSync(
      ecosystem,
      JSON.stringify({
        apps: [
          {
            name: APP,
            script: SERVER_JS,
            exec_mode: 'cluster',
            instances: 2,
            kill_timeout: 20_000,
            env: {
              HOST: '127.0.0.1',
              PORT: String(port),
              STORE: 'sqlite',
              SQLITE_PATH: path.join(dir, 'store.db'),
              RULES_FILE: rulesFile,
              RULES_WATCH: 'false',
              LOG_LEVEL: 'warn',
              RATE_LIMIT_INSTANCES: '2',
            },
          },
        ],
      }),
    );
    await pm2.cli('start', ecosystem);
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${url}/api/ready`)).status === 200, 30_000, 'the cluster to be ready');
    const pidsBefore = (await pm2.list()).filter((r) => r.name === APP).map((r) => r.pid);
    expect(pidsBefore).toHaveLength(2);

    let answered = 0;
    const failures: string[] = [];
    let running = true;
    const client = async (n: number) => {
      while (running) {
        try {
          const res = await fetch(`${url}/api/metrics`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ source: `client-${n}`, timestamp: new Date().toISOString(), metrics: { steady: 1 } }),
          });
          await res.arrayBuffer();
          if (res.status === 200) answered += 1;
          else failures.push(`HTTP ${res.status}`);
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          failures.push(cause?.code ?? cause?.message ?? (err as Error).message);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i + 1));
    await eventually(() => answered >= 200, 30_000, 'steady load before the reload');
    const beforeReload = answered;
    await pm2.cli('reload', APP);
    const afterReload = answered;
    // Keep the load on while the replaced workers finish draining.
    await eventually(() => answered >= afterReload + 200, 30_000, 'steady load after the reload');
    running = false;
    await Promise.all(clients);

    const pidsAfter = (await pm2.list()).filter((r) => r.name === APP).map((r) => r.pid);
    expect(pidsAfter).toHaveLength(2);
    expect(pidsAfter.filter((p) => pidsBefore.includes(p))).toEqual([]);
    process.stdout.write(`pm2 reload under ${CLIENTS} clients: ${answered} answered (${afterReload - beforeReload} during the reload), ${failures.length} failed\n`);
    expect(failures).toEqual([]);
    expect(afterReload - beforeReload).toBeGreaterThan(0);
  });
});
