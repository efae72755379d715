import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The part of autocannon's result this benchmark reads (the package ships no types). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { average: number; p50: number; p90: number; p99: number; max: number };
  requests: { average: number; total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

export interface IngestOptions {
  projectRoot: string;
  durationSec: number;
  warmupSec: number;
  connections: number;
  /** A rules document to run with instead of the shipped rules, and snapshots' metrics for it. */
  generated?: { doc: unknown; metrics: Record<string, unknown> };
  /** Name of the generated run ("generated" by default). */
  generatedName?: string;
  /** Also run the generated snapshot with ?decisions=acted. */
  acted?: boolean;
  /** Run the service on this MongoDB server (a database of its own) instead of SQLite. */
  mongoUri?: string;
  /** Snapshots per POST /api/metrics/batch request in the batch run (0: no batch run). */
  batchSize?: number;
  /** Extra node flags for the service process, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  serviceNodeArgs?: string[];
  /** Called with a stopper for the child process, so a watchdog or Ctrl-C can stop it too. */
  onStarted?: (stop: () => Promise<void>) => void;
}

export interface IngestRun {
  name: string;
  description: string;
  connections: number;
  durationSec: number;
  reqPerSec: number;
  totalRequests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Snapshots per second (requests x snapshots per request). */
  snapshotsPerSec: number;
  /** Bytes of one reply (the last one autocannon read). */
  replyBytes?: number;
}

export interface IngestResult {
  rules: number;
  store: string;
  /** What the service answered to the first matching snapshot (before cooldowns set in). */
  firstMatchDecisions: unknown;
  runs: IngestRun[];
}

const TIMESTAMP = '2026-11-23T10:00:00Z';

/** Every metric the shipped rules read, inside its healthy range: no rule matches. */
export const HEALTHY_SNAPSHOT = {
  source: 'agentx',
  timestamp: TIMESTAMP,
  metrics: {
    ollama: { avgResponseTimeMs: 1200, errorRate: 0.01 },
    errorRate: 0.012,
    costPerHour: 2.4,
    memoryPercent: 61,
    diskPercent: 72,
    prompts: { main: { qualityScore: 0.86 } },
    services: { agentx: { status: 'online' }, rag: { status: 'online' } },
    router: { current: 'primary' },
    rag: { p95LatencyMs: 640 },
    queue: { waiting: 42 },
    tokensPerMinute: 54000,
    requestsPerSecond: 37,
    cpuPercent: 44,
  },
};

/**
 * An unhealthy snapshot matching five rules whose strategies act inside the service (alerts and a
 * throttle): the first one dispatches, every later one meets the cooldowns.
 */
export const MATCHING_SNAPSHOT = {
  ...HEALTHY_SNAPSHOT,
  metrics: {
    ...HEALTHY_SNAPSHOT.metrics,
    errorRate: 0.07,
    costPerHour: 6.2,
    memoryPercent: 90,
    diskPercent: 93,
    queue: { waiting: 800 },
  },
};

/** The same server URI naming another database. */
export function withDatabase(uri: string, db: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('BENCH_MONGODB_URI is not a mongodb:// URI');
  return `${match[1]}/${db}${match[3] ?? ''}`;
}

async function replyBytes(url: string, route: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.arrayBuffer()).byteLength;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/api/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`service not ready within ${timeoutMs} ms`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(child.pid, 'SIGTERM');
  const timer = sleep(timeoutMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signal(child.pid, 'SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
}

async function load(
  url: string,
  name: string,
  description: string,
  body: unknown,
  durationSec: number,
  connections: number,
  route = '/api/metrics',
  perRequest = 1,
): Promise<IngestRun> {
  const result = await autocannon({
    url: `${url}${route}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections,
    duration: durationSec,
    timeout: 10,
  });
  return {
    name,
    description,
    connections,
    durationSec: result.duration,
    reqPerSec: result.requests.total / result.duration,
    totalRequests: result.requests.total,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    snapshotsPerSec: (result.requests.total / result.duration) * perRequest,
  };
}

/**
 * Starts the built service (dist/src/server.js) on a free 127.0.0.1 port with a temporary SQLite
 * file and a copy of the shipped rules, loads it with autocannon, and stops it again.
 */
export async function runIngestBench(options: IngestOptions, log: (s: string) => void): Promise<IngestResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-bench-'));
  const rulesFile = path.join(tmp, 'self-healing-rules.json');
  if (options.generated) fs.writeFileSync(rulesFile, JSON.stringify(options.generated.doc));
  else fs.copyFileSync(path.join(options.projectRoot, 'config', 'self-healing-rules.json'), rulesFile);
  const rules = (JSON.parse(fs.readFileSync(rulesFile, 'utf8')) as { rules: unknown[] }).rules.length;
  // The load comes from one client: at the default ingest limit (60,000 requests a minute per
  // client) the runs after the first minute would measure 429s. This measures the pipeline.
  const configFile = path.join(tmp, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify({ auth: { rateLimit: { ingestPerMinute: 1_000_000_000 } } }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(process.execPath, [...(options.serviceNodeArgs ?? []), path.join(options.projectRoot, 'dist', 'src', 'server.js')], {
    cwd: options.projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(options.mongoUri
        ? { STORE: 'mongo', MONGODB_URI: withDatabase(options.mongoUri, `shre_bench_${process.pid}_${Date.now()}`) }
        : { STORE: 'sqlite', SQLITE_PATH: path.join(tmp, 'bench.db') }),
      RULES_FILE: rulesFile,
      CONFIG_FILE: configFile,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  options.onStarted?.(() => stopChild(child, 5_000));
  try {
    await waitReady(url, child, 30_000);
    log(`  service pid ${child.pid} ready on ${url} (${options.mongoUri ? 'MongoDB' : `SQLite in ${tmp}`})`);

    log(`  warm-up ${options.warmupSec} s`);
    await load(url, 'warm-up', '', HEALTHY_SNAPSHOT, options.warmupSec, options.connections);
    if (options.generated) {
      const body = { source: 'bench', timestamp: TIMESTAMP, metrics: options.generated.metrics };
      // One request first, alone: it dispatches every match (hundreds of actions in a storm, which
      // takes FerretDB seconds); ten connections sending it at once would all race to dispatch.
      await replyBytes(url, '/api/metrics', body);
      await load(url, 'warm-up', '', body, options.warmupSec, options.connections);
      const name = `${options.generatedName ?? 'generated'}-${rules}`;
      const runs: IngestRun[] = [];
      for (const route of options.acted ? ['/api/metrics', '/api/metrics?decisions=acted'] : ['/api/metrics']) {
        const runName = route.includes('acted') ? `${name} acted` : name;
        const run = await load(url, runName, `${name} snapshot, ${rules} rules (matches decide cooldown after the first)${route.includes('acted') ? ', ?decisions=acted' : ''}`,
          body, options.durationSec, options.connections, route);
        run.replyBytes = await replyBytes(url, route, body);
        log(`  ${runName}: ${run.reqPerSec.toFixed(0)} req/s, p99 ${run.p99Ms} ms, reply ${run.replyBytes} bytes`);
        runs.push(run);
      }
      return { rules, store: options.mongoUri ? 'mongodb' : 'sqlite', firstMatchDecisions: null, runs };
    }

    const runs: IngestRun[] = [];
    runs.push(
      await load(url, 'no-match', 'healthy snapshot, 12 rules evaluated, none matches (snapshot stored)', HEALTHY_SNAPSHOT,
        options.durationSec, options.connections),
    );
    log(`  no-match: ${runs[0]!.reqPerSec.toFixed(0)} req/s, p99 ${runs[0]!.p99Ms} ms`);

    const first = await fetch(`${url}/api/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(MATCHING_SNAPSHOT),
      signal: AbortSignal.timeout(10_000),
    });
    const firstMatchDecisions = ((await first.json()) as { decisions?: unknown }).decisions ?? null;
    runs.push(
      await load(url, 'match-in-cooldown',
        'unhealthy snapshot matching 5 rules; dispatched once before the run, so every request decides "cooldown"',
        MATCHING_SNAPSHOT, options.durationSec, options.connections),
    );
    log(`  match-in-cooldown: ${runs[1]!.reqPerSec.toFixed(0)} req/s, p99 ${runs[1]!.p99Ms} ms`);
    const batchSize = options.batchSize ?? 0;
    if (batchSize > 0) {
      const batch = await load(url, `batch-${batchSize}`, `POST /api/metrics/batch, ${batchSize} healthy snapshots a request, ${rules} rules`,
        { snapshots: Array.from({ length: batchSize }, () => HEALTHY_SNAPSHOT) }, options.durationSec, options.connections,
        '/api/metrics/batch', batchSize);
      runs.push(batch);
      log(`  batch-${batchSize}: ${batch.snapshotsPerSec.toFixed(0)} snapshots/s, p99 ${batch.p99Ms} ms a request`);
    }
    return { rules, store: options.mongoUri ? 'mongodb' : 'sqlite', firstMatchDecisions, runs };
  } catch (err) {
    log(`  service output (last lines):\n${output.join('').split('\n').slice(-20).join('\n')}`);
    throw err;
  } finally {
    await stopChild(child, 15_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
