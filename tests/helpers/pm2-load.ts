import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Pm2Daemon } from './pm2-daemon';
import { freePort, SERVER_JS } from './service-process';

/** The shipped PM2 entries (ecosystem.config.js), so a test runs them with their real settings. */
const ECOSYSTEM = require('../../ecosystem.config.js') as { entries: Record<'fork' | 'cluster', Record<string, unknown>> };

export const APP = 'engine-under-load';

/** One failed request: when (ms since the load started), and what the client saw. */
export interface Failure {
  atMs: number;
  code: string;
}

/**
 * Four (by default) clients posting snapshots back to back with Node's fetch (undici, keep-alive),
 * as the senders of a real deployment do. Each request is either answered 200 (counted, its
 * snapshot id kept) or recorded as a failure with the cause the client saw.
 */
export class SteadyLoad {
  answered = 0;
  readonly acknowledged = new Set<string>();
  readonly failures: Failure[] = [];
  private running = true;
  private readonly started = Date.now();
  private readonly clients: Promise<void>[];

  constructor(
    private readonly url: string,
    clients = 4,
  ) {
    this.clients = Array.from({ length: clients }, (_, i) => this.client(i + 1));
  }

  private async client(n: number): Promise<void> {
    while (this.running) {
      try {
        const res = await fetch(`${this.url}/api/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ source: `client-${n}`, timestamp: new Date().toISOString(), metrics: { steady: 1 } }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json()) as { snapshotId?: string };
        if (res.status === 200 && body.snapshotId) {
          this.answered += 1;
          this.acknowledged.add(body.snapshotId);
        } else this.failures.push({ atMs: Date.now() - this.started, code: `HTTP ${res.status}` });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        this.failures.push({ atMs: Date.now() - this.started, code: cause?.code ?? cause?.message ?? (err as Error).name });
        // A sender waits a moment before it sends again; a refused connection fails at once.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** Resolves once `more` further requests have been answered. */
  async answeredMore(more: number, timeoutMs = 60_000): Promise<void> {
    const target = this.answered + more;
    const deadline = Date.now() + timeoutMs;
    while (this.answered < target) {
      if (Date.now() > deadline) throw new Error(`only ${this.answered} of ${target} requests answered in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }
}

/** A PM2 daemon of its own running one shipped entry of ecosystem.config.js on a free port. */
export class EngineUnderPm2 extends Pm2Daemon {
  url = '';

  /**
   * Starts `entry` with the test's environment on top of the entry's own (store, port, files);
   * every PM2 setting (instances, wait_ready, listen_timeout, kill_timeout...) is the shipped one.
   */
  async startEntry(entry: 'fork' | 'cluster', dir: string, env: Record<string, string>): Promise<void> {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run "npm run build" (npm test does)`);
    const port = await freePort();
    const shipped = ECOSYSTEM.entries[entry];
    const app = {
      ...shipped,
      name: APP,
      cwd: dir,
      script: SERVER_JS,
      env: { ...(shipped.env as Record<string, string>), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    };
    const file = path.join(dir, `ecosystem-${crypto.randomBytes(3).toString('hex')}.json`);
    fs.writeFileSync(file, JSON.stringify({ apps: [app] }));
    // With wait_ready, `pm2 start` returns once every worker said 'ready'.
    await this.cli('start', file);
    this.url = `http://127.0.0.1:${port}`;
  }

  async pids(): Promise<number[]> {
    return (await this.list())
      .filter((r) => r.name === APP && r.pm2_env.status === 'online')
      .map((r) => r.pid)
      .sort((a, b) => a - b);
  }
}

/** "n failed: 3 × ECONNREFUSED at 1200-1450 ms, ..." for a failure message that says what happened. */
export function describeFailures(failures: Failure[]): string {
  const byCode = new Map<string, number[]>();
  for (const f of failures) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f.atMs]);
  return [...byCode]
    .map(([code, at]) => `${at.length} × ${code} at ${Math.min(...at)}-${Math.max(...at)} ms`)
    .join(', ');
}
