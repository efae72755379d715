import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord, StrategyResult } from '../../src/domain/action';
import { createPm2Client } from '../../src/integrations/pm2-client';
import type { PipelineDeps } from '../../src/execution/pipeline-deps';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { createServiceRestartStrategy, type ServiceRestartOptions } from '../../src/strategies/service-restart';
import { type Strategy, StrategyFailure } from '../../src/strategies/strategy';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { waitFor } from '../helpers/wait-for';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PM2_BIN = path.join(ROOT, 'node_modules/pm2/bin/pm2');
const APPS = path.join(ROOT, 'tests/fixtures/pm2-apps');
const STABILIZATION_MS = 1500;

jest.setTimeout(30000);

interface Pm2Row {
  name: string;
  pid: number;
  pm2_env: { status: string; restart_time: number };
}

// Short paths: PM2's unix sockets live in PM2_HOME and socket paths are limited to ~100 bytes.
let home: string;
let store: SqliteStore;
const savedPm2Home = process.env.PM2_HOME;

/** The PM2 CLI with only this test's PM2_HOME, so it never touches anyone else's daemon. */
async function pm2Cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [PM2_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' },
    timeout: 20000,
  });
  return stdout;
}

/** What PM2 itself says, read independently of the code under test. */
async function pm2Process(name: string): Promise<Pm2Row> {
  const rows = JSON.parse(await pm2Cli('jlist')) as Pm2Row[];
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`${name} not in PM2`);
  return row;
}

async function waitOnline(name: string): Promise<void> {
  await waitFor(async () => (await pm2Process(name)).pm2_env.status === 'online', { timeoutMs: 10_000, what: `${name} to come online` });
}

/**
 * PIDs of live processes started with this PM2_HOME in their environment: a daemon spawned there by
 * mistake is one of them from the moment it is spawned, so no waiting is needed to see it.
 */
function processesWithPm2Home(pm2Home: string): number[] {
  const needle = `PM2_HOME=${pm2Home}\0`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`${fs.readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

function strategyWith(
  services: Record<string, string>,
  options: ServiceRestartOptions = {},
  stabilizationMs = STABILIZATION_MS,
): Strategy {
  const deps: PipelineDeps = {
    store,
    config: loadConfig({ env: {}, overrides: { services, pm2: { stabilizationMs } } }),
    clock: new ManualClock(),
    logger: winston.createLogger({ silent: true }),
    notifier: new RecordingNotifier(),
  };
  return createServiceRestartStrategy(deps, options);
}

function action(service: string): ActionRecord {
  const at = new Date('2026-03-01T10:00:00Z');
  return {
    id: `act-${service}`,
    rule: 'agentx-unresponsive',
    type: 'service_restart',
    params: { service },
    severity: 'critical',
    status: 'running',
    requestedBy: 'ingest:agentx',
    snapshotId: null,
    snapshot: null,
    matchedFacts: {},
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    decidedBy: 'ops',
    decidedAt: at,
    decisionComment: null,
    startedAt: at,
    finishedAt: null,
    result: null,
    error: null,
  };
}

function execute(
  strategy: Strategy,
  service: string,
  signal = new AbortController().signal,
  logger = winston.createLogger({ silent: true }),
): Promise<StrategyResult> {
  const a = action(service);
  return strategy.execute({
    action: a,
    params: a.params,
    rule: null,
    signal,
    logger,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<StrategyFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StrategyFailure) return err;
    throw err;
  }
  throw new Error('expected the strategy to fail');
}

const SERVICES = { agentx: 'steady-app', rag: 'steady-app-2', flaky: 'crashy-app', ghost: 'ghost-app' };

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-pm2-'));
  const app = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
    name,
    script: path.join(APPS, script),
    exec_mode: 'fork',
    kill_timeout: 3000,
    ...extra,
  });
  fs.writeFileSync(
    path.join(home, 'apps.json'),
    JSON.stringify({
      apps: [
        app('steady-app', 'steady-app.js'),
        app('steady-app-2', 'steady-app.js'),
        // Crashes on every start after the first; PM2 gives up after one quick retry.
        app('crashy-app', 'crash-after-first-start.js', {
          autorestart: true,
          min_uptime: 5000,
          max_restarts: 1,
          env: { CRASH_MARKER_FILE: path.join(home, 'crashy.marker') },
        }),
      ],
    }),
  );
  await pm2Cli('start', path.join(home, 'apps.json'));
  await Promise.all(['steady-app', 'steady-app-2', 'crashy-app'].map(waitOnline));
  store = new SqliteStore({ path: ':memory:' });
  await store.init();
  // The default client reads PM2_HOME when it connects, not when pm2 or this module loads.
  process.env.PM2_HOME = home;
});

afterAll(async () => {
  if (savedPm2Home === undefined) delete process.env.PM2_HOME;
  else process.env.PM2_HOME = savedPm2Home;
  // Only the daemon started above: `pm2 kill` with this test's PM2_HOME.
  if (home) {
    await pm2Cli('kill').catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
  await store?.close?.();
});

describe('service_restart through a real PM2 daemon', () => {
  it('reloads the mapped process and verifies it came back online with one more restart', async () => {
    const before = await pm2Process('steady-app');
    const result = await execute(strategyWith(SERVICES), 'agentx');
    const after = await pm2Process('steady-app');

    expect(after.pm2_env.status).toBe('online');
    expect(after.pm2_env.restart_time).toBe(before.pm2_env.restart_time + 1);
    expect(after.pid).not.toBe(before.pid);

    expect(result.changed).toBe(true);
    expect(result.summary).toContain('steady-app');
    expect(result.details).toMatchObject({
      service: 'agentx',
      process: 'steady-app',
      pm2Home: home,
      before: { status: 'online', restarts: before.pm2_env.restart_time, pid: before.pid },
      after: { status: 'online', restarts: after.pm2_env.restart_time, pid: after.pid },
    });
    const names = result.checks?.map((c) => c.name);
    expect(names).toEqual(['process found', 'pm2 reload', 'stabilization wait', 'verify']);
    expect(result.checks?.every((c) => c.ok && typeof c.durationMs === 'number')).toBe(true);
    const wait = result.checks?.find((c) => c.name === 'stabilization wait');
    expect(wait?.durationMs).toBeGreaterThanOrEqual(STABILIZATION_MS - 50);
  });

  it('verifies two overlapping restarts of different services', async () => {
    const strategy = strategyWith(SERVICES);
    const [a, b] = [await pm2Process('steady-app'), await pm2Process('steady-app-2')];
    const results = await Promise.all([execute(strategy, 'agentx'), execute(strategy, 'rag')]);
    expect(results.map((r) => r.changed)).toEqual([true, true]);
    expect((await pm2Process('steady-app')).pm2_env.restart_time).toBe(a.pm2_env.restart_time + 1);
    expect((await pm2Process('steady-app-2')).pm2_env.restart_time).toBe(b.pm2_env.restart_time + 1);
  });

  it('runs PM2 sessions of one client one at a time', async () => {
    const client = createPm2Client({ env: { PM2_HOME: home } });
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const session = (label: string, hold?: Promise<void>) =>
      client.withConnection(async (s) => {
        log.push(`${label} in`);
        const names = (await s.list()).map((p) => p.name);
        await hold;
        log.push(`${label} out`);
        return names;
      });
    const both = Promise.all([session('a', held), session('b')]);
    // While a holds its session, b (already asked for) must not get one, however long a takes: the
    // PM2 CLI's own round trips give b every chance to slip in.
    await waitFor(() => log.includes('a in'), { what: 'the first session to open' });
    await pm2Cli('jlist');
    await pm2Cli('jlist');
    expect(log).toEqual(['a in']);
    release();
    const [first, second] = await both;
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(first).toEqual(expect.arrayContaining(['steady-app', 'steady-app-2', 'crashy-app']));
    expect(second).toEqual(first);
  });

  it('fails verification when the process crashes after the reload', async () => {
    // A little longer than the others: on a busy machine PM2's retry may still be under way at 1.5 s.
    const failure = await failureOf(execute(strategyWith(SERVICES, {}, 3000), 'flaky'));
    expect(failure.message).toMatch(/^verification failed: status errored/);
    expect(failure.details).toMatchObject({
      service: 'flaky',
      process: 'crashy-app',
      before: { status: 'online' },
      after: { status: 'errored' },
    });
    expect(failure.checks.find((c) => c.name === 'pm2 reload')?.ok).toBe(true);
    expect(failure.checks.find((c) => c.name === 'verify')?.ok).toBe(false);
    expect((await pm2Process('crashy-app')).pm2_env.status).toBe('errored');
  });

  it('fails naming the unknown logical service and the known ones, without touching PM2', async () => {
    const failure = await failureOf(execute(strategyWith(SERVICES), 'billing'));
    expect(failure.message).toBe('unknown service "billing": config "services" knows "agentx", "rag", "flaky", "ghost"');
  });

  it('fails when the logical service maps to a process PM2 does not manage', async () => {
    const failure = await failureOf(execute(strategyWith(SERVICES), 'ghost'));
    expect(failure.message).toMatch(/^PM2 process "ghost-app" \(service "ghost"\) not found; PM2 manages /);
    expect(failure.message).toContain('"steady-app"');
    expect(failure.checks.map((c) => c.name)).toEqual(['process found']);
  });

  it('fails with "PM2 daemon not running" when PM2_HOME has no daemon, and starts none', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-nopm2-'));
    try {
      const strategy = strategyWith(SERVICES, { pm2: createPm2Client({ env: { PM2_HOME: empty } }) });
      const failure = await failureOf(execute(strategy, 'agentx'));
      expect(failure.message).toMatch(/^PM2 daemon not running \(PM2_HOME=.*shre-nopm2-/);
      expect(processesWithPm2Home(empty)).toEqual([]);
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('treats a stale rpc.sock (daemon died without cleaning up) as not running, and starts none', async () => {
    const stale = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-stale-'));
    try {
      fs.writeFileSync(path.join(stale, 'rpc.sock'), '');
      const strategy = strategyWith(SERVICES, { pm2: createPm2Client({ env: { PM2_HOME: stale } }) });
      const failure = await failureOf(execute(strategy, 'agentx'));
      expect(failure.message).toMatch(/^PM2 daemon not running .*rpc\.sock/);
      expect(processesWithPm2Home(stale)).toEqual([]);
      expect(fs.readdirSync(stale)).toEqual(['rpc.sock']);
    } finally {
      fs.rmSync(stale, { recursive: true, force: true });
    }
  });

  it('fails with PM2\'s reason when the reload is refused, and leaves the process alone', async () => {
    const lock = path.join(home, 'reload.lock');
    const before = await pm2Process('steady-app');
    // What `pm2 reload` by someone else leaves while it runs.
    fs.writeFileSync(lock, String(Date.now()));
    try {
      const failure = await failureOf(execute(strategyWith(SERVICES), 'agentx'));
      expect(failure.message).toMatch(/^pm2 reload failed: .*Reload in progress/);
      expect(failure.checks.find((c) => c.name === 'pm2 reload')?.ok).toBe(false);
      expect(failure.details).toMatchObject({ before: { status: 'online', restarts: before.pm2_env.restart_time } });
    } finally {
      fs.writeFileSync(lock, '');
    }
    const after = await pm2Process('steady-app');
    expect(after.pm2_env.restart_time).toBe(before.pm2_env.restart_time);
    expect(after.pid).toBe(before.pid);
  });

  it('stops waiting and fails when aborted during the stabilization period', async () => {
    const controller = new AbortController();
    // Aborted the moment the strategy says it has reloaded and starts to wait.
    const logger = winston.createLogger({
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk: Buffer, _enc: string, done: () => void) {
              if (chunk.toString('utf8').includes('before verifying')) controller.abort();
              done();
            },
          }),
        }),
      ],
    });
    const failure = await failureOf(execute(strategyWith(SERVICES), 'rag', controller.signal, logger));
    expect(failure.message).toMatch(/^aborted during the stabilization wait/);
    expect(failure.checks.find((c) => c.name === 'stabilization wait')?.ok).toBe(false);
  });
});
