import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { AppConfig } from '../../src/config/schema';
import type { ActionRecord, StrategyResult } from '../../src/domain/action';
import { ConflictError } from '../../src/errors';
import { checkModelHostHealth } from '../../src/integrations/model-host-health';
import type { PipelineDeps } from '../../src/execution/pipeline-deps';
import { FailoverService } from '../../src/targets/failover-service';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { createModelFailoverStrategy } from '../../src/strategies/model-failover';
import { type Strategy, StrategyFailure } from '../../src/strategies/strategy';
import { FakeModelHost } from '../helpers/fake-model-host';
import { RecordingNotifier } from '../helpers/recording-notifier';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

// Long enough for a healthy host on a busy 2-core machine, well short of the slow host's 2000 ms.
const TIMEOUT_MS = 1000;

interface Harness {
  deps: PipelineDeps;
  failover: FailoverService;
  strategy: Strategy;
  notifier: RecordingNotifier;
  clock: ManualClock;
  store: SqliteStore;
}

let primary: FakeModelHost;
let secondary: FakeModelHost;
let dir: string;
const stores: SqliteStore[] = [];

function makeConfig(): AppConfig {
  return loadConfig({
    env: {},
    overrides: {
      modelHosts: { primary: primary.url, secondary: secondary.url, healthPath: '/api/tags', timeoutMs: TIMEOUT_MS },
    },
  });
}

async function harness(dbFile = ':memory:', clock = new ManualClock('2026-03-01T10:00:00Z')): Promise<Harness> {
  const store = new SqliteStore({ path: dbFile });
  await store.init();
  stores.push(store);
  const notifier = new RecordingNotifier();
  const deps: PipelineDeps = {
    store,
    config: makeConfig(),
    clock,
    logger: winston.createLogger({ silent: true }),
    notifier,
  };
  const failover = new FailoverService(deps);
  const strategy = createModelFailoverStrategy({ ...deps, failover });
  return { deps, failover, strategy, notifier, clock, store };
}

function action(params: Record<string, unknown> = {}): ActionRecord {
  const at = new Date('2026-03-01T10:00:00Z');
  return {
    id: 'act-1',
    rule: 'slow-primary-model-host',
    type: 'model_failover',
    params,
    severity: 'critical',
    status: 'running',
    requestedBy: 'ingest:agentx',
    snapshotId: null,
    snapshot: null,
    matchedFacts: { ollama: { avgResponseTimeMs: 6200 } },
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    startedAt: at,
    finishedAt: null,
    result: null,
    error: null,
  };
}

function run(h: Harness, params: Record<string, unknown> = {}, signal = new AbortController().signal): Promise<StrategyResult> {
  return h.strategy.execute({ action: action(params), params, rule: null, signal, logger: h.deps.logger });
}

async function runFailing(h: Harness, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<StrategyFailure> {
  try {
    await run(h, params, signal);
  } catch (err) {
    expect(err).toBeInstanceOf(StrategyFailure);
    return err as StrategyFailure;
  }
  throw new Error('the strategy succeeded but was expected to fail');
}

beforeAll(async () => {
  primary = await FakeModelHost.start({ slowMs: 2000 });
  secondary = await FakeModelHost.start({ slowMs: 2000 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-failover-'));
});

afterEach(async () => {
  while (stores.length > 0) await stores.pop()!.close();
  await primary.setMode('healthy');
  await secondary.setMode('healthy');
});

afterAll(async () => {
  await primary.close();
  await secondary.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('model host health check', () => {
  const options = { healthPath: '/api/tags', timeoutMs: TIMEOUT_MS };

  it('tells healthy, HTTP error, timeout and connection refused apart', async () => {
    expect(await checkModelHostHealth(secondary.url, options)).toMatchObject({ ok: true, status: 200, reason: 'HTTP 200' });

    await secondary.setMode('error500');
    expect(await checkModelHostHealth(secondary.url, options)).toMatchObject({ ok: false, status: 500, reason: 'HTTP 500' });

    await secondary.setMode('slow');
    const slow = await checkModelHostHealth(secondary.url, options);
    expect(slow).toMatchObject({ ok: false, reason: `timed out after ${TIMEOUT_MS} ms` });
    expect(slow.status).toBeUndefined();
    expect(slow.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(slow.durationMs).toBeLessThan(2000);

    await secondary.setMode('down');
    expect(await checkModelHostHealth(secondary.url, options)).toMatchObject({ ok: false, reason: 'connection refused' });

    await secondary.setMode('healthy');
    expect(await checkModelHostHealth(secondary.url, options)).toMatchObject({ ok: true, reason: 'HTTP 200' });
  });

  it('stops waiting when the caller aborts', async () => {
    await secondary.setMode('slow');
    const controller = new AbortController();
    const asked = secondary.healthRequests;
    const checking = checkModelHostHealth(secondary.url, { healthPath: '/api/tags', timeoutMs: 5000 }, controller.signal);
    await waitFor(() => secondary.healthRequests > asked, { what: 'the health request to reach the host' });
    controller.abort();
    const health = await checking;
    expect(health.ok).toBe(false);
    expect(health.reason).toMatch(/^aborted/);
    expect(health.durationMs).toBeLessThan(1000);
  });
});

describe('model_failover strategy', () => {
  it('starts on primary, never failed over, with the configured URLs', async () => {
    const h = await harness();
    expect(await h.failover.getState()).toEqual({
      current: 'primary',
      primary: primary.url,
      secondary: secondary.url,
      failedOver: false,
      failoverTimestamp: null,
      reason: null,
      failoverCount: 0,
    });
  });

  it('reports the host URLs from the configuration, even when the stored ones are older', async () => {
    const h = await harness();
    await h.store.saveFailoverState(
      {
        current: 'secondary',
        primary: 'http://old-primary:11434',
        secondary: 'http://old-secondary:11434',
        failedOver: true,
        failoverTimestamp: '2026-02-01T00:00:00.000Z',
        reason: 'legacy',
        failoverCount: 4,
      },
      0,
    );
    expect(await h.failover.getState()).toMatchObject({
      current: 'secondary',
      primary: primary.url,
      secondary: secondary.url,
      failoverCount: 4,
    });
    await h.failover.reset('carol');
    expect((await h.store.getFailoverState())!.value).toMatchObject({ primary: primary.url, secondary: secondary.url });
  });

  it('has a timeout that covers its health checks', async () => {
    const h = await harness();
    expect(h.strategy.timeoutMs).toBeGreaterThanOrEqual(3 * TIMEOUT_MS);
    expect(h.strategy.requiresApprovalByDefault).toBe(false);
  });

  it('switches to a healthy secondary, persists the state and announces it', async () => {
    const h = await harness();
    const before = secondary.healthRequests;
    const result = await run(h);

    expect(result.changed).toBe(true);
    expect(result.summary).toContain(`to secondary (${secondary.url})`);
    expect(result.details).toMatchObject({ from: 'primary', to: 'secondary' });
    expect(result.checks).toHaveLength(2);
    expect(result.checks![0]).toMatchObject({ name: 'health:secondary', ok: true });
    expect(result.checks![0]!.detail).toContain(`${secondary.url}/api/tags`);
    expect(result.checks![1]).toMatchObject({ name: 'health:secondary:recheck', ok: true });
    expect(typeof result.checks![0]!.durationMs).toBe('number');
    expect(secondary.healthRequests - before).toBe(2);

    const expected = {
      current: 'secondary',
      primary: primary.url,
      secondary: secondary.url,
      failedOver: true,
      failoverTimestamp: '2026-03-01T10:00:00.000Z',
      reason: 'rule "slow-primary-model-host" (action act-1)',
      failoverCount: 1,
      // The failback's hold travels with the state; this failover is the one to fail back from.
      failback: { failoverActionId: 'act-1', holdSeconds: 300, recent: [], pending: null, suspendedAt: null },
    };
    expect(await h.failover.getState()).toEqual(expected);
    expect((await h.store.getFailoverState())!.value).toEqual(expected);

    const events = h.notifier.ofType('failover.changed');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ from: 'primary', to: 'secondary', currentUrl: secondary.url, rolledBack: false });
    expect(events[0]!.rule).toBe('slow-primary-model-host');
    expect(events[0]!.action?.id).toBe('act-1');
  });

  it.each([
    ['error500', 'HTTP 500'],
    ['slow', `timed out after ${TIMEOUT_MS} ms`],
    ['down', 'connection refused'],
  ] as const)('does not switch to a secondary that is %s, and fails with "%s"', async (mode, reason) => {
    const h = await harness();
    await secondary.setMode(mode);

    const failure = await runFailing(h);
    expect(failure.message).toContain(reason);
    expect(failure.message).toContain('staying on primary');
    expect(failure.details).toMatchObject({ from: 'primary', to: 'secondary' });
    expect(failure.checks).toEqual([expect.objectContaining({ name: 'health:secondary', ok: false })]);
    expect(failure.checks[0]!.detail).toContain(reason);

    expect(await h.store.getFailoverState()).toBeNull();
    expect((await h.failover.getState()).current).toBe('primary');
    expect(h.notifier.ofType('failover.changed')).toHaveLength(0);
  });

  it('succeeds without changing anything when already on the target, and says so', async () => {
    const h = await harness();
    const probes = primary.healthRequests + secondary.healthRequests;
    const onPrimary = await run(h, { target: 'primary' });
    expect(onPrimary).toMatchObject({ changed: false, details: { from: 'primary', to: 'primary' } });
    expect(onPrimary.summary).toMatch(/already on primary.*nothing changed/);

    await run(h);
    h.clock.advance(60_000);
    const again = await run(h);
    expect(again.changed).toBe(false);
    expect(again.summary).toMatch(/already on secondary/);
    expect(await h.failover.getState()).toMatchObject({
      current: 'secondary',
      failoverCount: 1,
      failoverTimestamp: '2026-03-01T10:00:00.000Z',
    });
    expect(h.notifier.ofType('failover.changed')).toHaveLength(1);
    // One switch = one check plus one re-check; "already there" probes nothing.
    expect(primary.healthRequests + secondary.healthRequests - probes).toBe(2);
  });

  it('rolls back to the previous host when the re-check after switching fails', async () => {
    const h = await harness();
    secondary.queue('healthy', 'error500');

    const failure = await runFailing(h);
    expect(failure.message).toMatch(/re-check of secondary .* failed \(HTTP 500\); rolled back to primary/);
    expect(failure.checks.map((c) => [c.name, c.ok])).toEqual([
      ['health:secondary', true],
      ['health:secondary:recheck', false],
    ]);

    const state = await h.failover.getState();
    expect(state).toMatchObject({ current: 'primary', failedOver: false, failoverCount: 0 });
    expect(state.reason).toMatch(/^rolled back to primary: re-check of secondary/);
    expect((await h.store.getFailoverState())!.value.current).toBe('primary');

    const events = h.notifier.ofType('failover.changed').map((e) => e.data);
    expect(events).toEqual([
      expect.objectContaining({ from: 'primary', to: 'secondary', rolledBack: false }),
      expect.objectContaining({ from: 'secondary', to: 'primary', rolledBack: true }),
    ]);
  });

  it('fails back to primary when asked to, after checking it', async () => {
    const h = await harness();
    await run(h);
    h.clock.advance(5 * 60_000);
    await primary.setMode('error500');
    const refused = await runFailing(h, { target: 'primary' });
    expect(refused.message).toContain('primary host');
    expect(refused.message).toContain('(HTTP 500); staying on secondary');
    expect((await h.failover.getState()).current).toBe('secondary');

    await primary.setMode('healthy');
    const back = await run(h, { target: 'primary' });
    expect(back).toMatchObject({ changed: true, details: { from: 'secondary', to: 'primary' } });
    expect(await h.failover.getState()).toMatchObject({
      current: 'primary',
      failedOver: false,
      failoverCount: 1,
      failoverTimestamp: '2026-03-01T10:05:00.000Z',
    });
  });

  it('switches once when two actions race for the same target', async () => {
    const h = await harness();
    const results = await Promise.all([run(h), run(h)]);
    expect(results.map((r) => r.changed).sort()).toEqual([false, true]);
    expect(await h.failover.getState()).toMatchObject({ current: 'secondary', failoverCount: 1 });
    expect(h.notifier.ofType('failover.changed')).toHaveLength(1);
  });

  it('gives up a hung health check when its signal is aborted', async () => {
    const h = await harness();
    await secondary.setMode('slow');
    const controller = new AbortController();
    const asked = secondary.healthRequests;
    const started = Date.now();
    const failing = runFailing(h, {}, controller.signal);
    await waitFor(() => secondary.healthRequests > asked, { what: 'the health check to reach the secondary' });
    controller.abort();
    const failure = await failing;
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(failure.message).toMatch(/aborted/);
    expect((await h.failover.getState()).current).toBe('primary');
  });

  it('keeps its state across a restart (a new service over the same SQLite file)', async () => {
    const file = path.join(dir, 'restart.db');
    const first = await harness(file);
    await run(first);
    await stores.pop()!.close();

    const second = await harness(file);
    expect(await second.failover.getState()).toMatchObject({
      current: 'secondary',
      failedOver: true,
      failoverCount: 1,
      reason: 'rule "slow-primary-model-host" (action act-1)',
    });
    expect((await run(second)).changed).toBe(false);
  });
});

describe('FailoverService.reset', () => {
  it('returns to a healthy primary', async () => {
    const h = await harness();
    await run(h);
    h.clock.advance(60_000);
    const outcome = await h.failover.reset('alice');
    expect(outcome).toMatchObject({ changed: true, from: 'secondary', to: 'primary' });
    expect(outcome.checks.map((c) => c.name)).toEqual(['health:primary', 'health:primary:recheck']);
    expect(await h.failover.getState()).toMatchObject({
      current: 'primary',
      failedOver: false,
      reason: 'reset to primary by alice',
      failoverTimestamp: '2026-03-01T10:01:00.000Z',
      failoverCount: 1,
    });
    expect(h.notifier.ofType('failover.changed').map((e) => e.data.to)).toEqual(['secondary', 'primary']);
  });

  it('refuses with a conflict naming the reason when the primary is unhealthy', async () => {
    const h = await harness();
    await run(h);
    await primary.setMode('down');
    const error = await h.failover.reset('alice').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).status).toBe(409);
    expect((error as ConflictError).message).toContain('connection refused');
    expect((error as ConflictError).extra).toMatchObject({ reason: 'connection refused' });
    expect((await h.failover.getState()).current).toBe('secondary');
  });

  it('is a no-op on primary when the primary is healthy', async () => {
    const h = await harness();
    const outcome = await h.failover.reset('bob');
    expect(outcome.changed).toBe(false);
    expect(await h.store.getFailoverState()).toBeNull();
  });
});

describe('router health routes', () => {
  const failoverRule = {
    name: 'primary-model-host-slow',
    description: 'The primary model host answers slowly: fail over to the secondary host.',
    enabled: true,
    priority: 90,
    severity: 'critical',
    conditions: { any: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
    action: { type: 'model_failover', params: { target: 'secondary' } },
    cooldownMinutes: 30,
    notifications: { channels: ['log'] },
  };
  const apps: TestApp[] = [];
  const dirs = new Set<string>();

  async function app(dir?: string): Promise<TestApp> {
    const t = await buildTestApp({
      dir,
      rules: { rules: [failoverRule] },
      config: { modelHosts: { primary: primary.url, secondary: secondary.url, timeoutMs: TIMEOUT_MS } },
    });
    apps.push(t);
    dirs.add(t.dir);
    return t;
  }

  function slowSnapshot() {
    return { source: 'agentx', timestamp: '2026-03-01T10:00:00Z', metrics: { ollama: { avgResponseTimeMs: 6200 } } };
  }

  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    dirs.clear();
  });

  it('GET /api/health/router returns the legacy fields plus currentUrl and the failback', async () => {
    const t = await app();
    const res = await request(t.app).get('/api/health/router').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      current: 'primary',
      primary: primary.url,
      secondary: secondary.url,
      failedOver: false,
      failoverTimestamp: null,
      reason: null,
      failoverCount: 0,
      currentUrl: primary.url,
      probes: [],
      healthyStreak: 0,
      failbackAt: null,
      failback: {
        enabled: true,
        status: 'on the primary',
        healthyProbesNeeded: 3,
        holdSeconds: 300,
        secondaryProbe: null,
        failoverActionId: null,
        pendingFailbackId: null,
        suspendedAt: null,
        failbacksLastHour: 0,
      },
    });
  });

  it('a matching snapshot fails over, the action records the checks, and the state survives a restart', async () => {
    const t = await app();
    const ingest = await request(t.app).post('/api/metrics?wait=true').send(slowSnapshot()).expect(200);
    const decision = ingest.body.decisions[0];
    expect(decision).toMatchObject({ rule: 'primary-model-host-slow' });

    const router = await request(t.app).get('/api/health/router').expect(200);
    expect(router.body).toMatchObject({ current: 'secondary', currentUrl: secondary.url, failedOver: true, failoverCount: 1 });

    const actions = await request(t.app).get('/api/self-healing/actions').expect(200);
    const recorded = actions.body.items.find((a: ActionRecord) => a.type === 'model_failover');
    expect(recorded.status).toBe('succeeded');
    expect(recorded.result.details).toMatchObject({ from: 'primary', to: 'secondary' });
    expect(recorded.result.checks.map((c: { name: string }) => c.name)).toEqual([
      'health:secondary',
      'health:secondary:recheck',
    ]);
    expect(t.notifier.ofType('failover.changed')).toHaveLength(1);

    await apps.pop()!.stop();
    const restarted = await app(t.dir);
    const after = await request(restarted.app).get('/api/health/router').expect(200);
    expect(after.body).toMatchObject({ current: 'secondary', failoverCount: 1 });
  });

  it('an unhealthy secondary leaves traffic on primary and the action failed with the reason', async () => {
    const t = await app();
    await secondary.setMode('down');
    await request(t.app).post('/api/metrics?wait=true').send(slowSnapshot()).expect(200);

    const actions = await request(t.app).get('/api/self-healing/actions').expect(200);
    const recorded = actions.body.items.find((a: ActionRecord) => a.type === 'model_failover');
    expect(recorded.status).toBe('failed');
    expect(recorded.error).toContain('connection refused');
    expect(recorded.result.checks[0]).toMatchObject({ name: 'health:secondary', ok: false });
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('primary');
  });

  it('POST /api/health/router/reset returns to a healthy primary (200) and refuses an unhealthy one (409)', async () => {
    const t = await app();
    await t.services.failover.switchTo('secondary', 'manual test');

    await primary.setMode('error500');
    const refused = await request(t.app).post('/api/health/router/reset').send({ by: 'alice' }).expect(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, code: 'primary_unhealthy', reason: 'HTTP 500' });
    expect(refused.body.detail).toContain('staying on secondary');
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('secondary');

    await primary.setMode('healthy');
    const reset = await request(t.app).post('/api/health/router/reset').send({ by: 'alice' }).expect(200);
    expect(reset.body).toMatchObject({
      current: 'primary',
      currentUrl: primary.url,
      failedOver: false,
      reason: 'reset to primary by alice',
      failoverCount: 1,
      changed: true,
    });
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('primary');

    // No body at all is fine too; already on primary, so nothing changes.
    const again = await request(t.app).post('/api/health/router/reset').expect(200);
    expect(again.body).toMatchObject({ current: 'primary', changed: false });
  });

  it('POST /api/health/router/reset rejects a malformed body with 400 and changes nothing', async () => {
    const t = await app();
    await t.services.failover.switchTo('secondary', 'manual test');
    const bad = await request(t.app).post('/api/health/router/reset').send({ by: '', extra: 1 }).expect(400);
    expect(bad.body.errors.length).toBeGreaterThanOrEqual(2);
    await request(t.app)
      .post('/api/health/router/reset')
      .set('Content-Type', 'application/json')
      .send('{"by":')
      .expect(400);
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('secondary');
  });
});
