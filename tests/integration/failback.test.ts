import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { ingestSnapshot } from '../helpers/app-ingest';
import { FakeModelHost } from '../helpers/fake-model-host';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';

// Real HTTP hosts on 127.0.0.1; time on the injected clock. Rounds are run by hand (the sweep's own
// timer is set far out of the way), so every probe in a test is one the test asked for.
const TIMEOUT_MS = 400;
const HOLD_S = 300;
const SLOW = { ollama: { avgResponseTimeMs: 9000 } };
const FINE = { ollama: { avgResponseTimeMs: 400 } };

let primary: FakeModelHost;
let secondary: FakeModelHost;
const apps: TestApp[] = [];

beforeEach(async () => {
  primary = await FakeModelHost.start({ slowMs: 3000 });
  secondary = await FakeModelHost.start({ slowMs: 3000 });
});

afterEach(async () => {
  for (const t of apps.splice(0)) await t.stop();
  await primary.close();
  await secondary.close();
});

interface Options {
  failback?: Record<string, unknown>;
  /** Rules beside slow-primary, and config beside the model hosts'. */
  moreRules?: Record<string, unknown>[];
  config?: Record<string, unknown>;
  dir?: string;
  instanceId?: string;
  clock?: ManualClock;
}

async function app(options: Options = {}): Promise<TestApp> {
  const t = await buildTestApp({
    ...(options.dir ? { dir: options.dir } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    rules: rulesDoc(
      rule('slow-primary', {
        severity: 'critical',
        conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
        action: { type: 'model_failover', params: { target: 'secondary' } },
        cooldownMinutes: 120,
        verify: { windowMinutes: 1, onIneffective: 'none' },
      }),
      ...(options.moreRules ?? []),
    ),
    config: {
      modelHosts: {
        primary: primary.url,
        secondary: secondary.url,
        timeoutMs: TIMEOUT_MS,
        failback: {
          probeIntervalSeconds: 3600,
          healthyProbes: 3,
          minHoldSeconds: HOLD_S,
          requiresApproval: false,
          maxFailbacksPerHour: 2,
          ...options.failback,
        },
      },
      limits: { perTarget: { windowMinutes: 60, maxActions: 20 } },
      ...options.config,
      ...(options.instanceId ? { cluster: { instanceId: options.instanceId } } : {}),
    },
  });
  apps.push(t);
  return t;
}

async function failOver(t: TestApp): Promise<string> {
  await ingestSnapshot(t, SLOW, 'agentx');
  const router = await request(t.app).get('/api/health/router');
  expect(router.body).toMatchObject({ current: 'secondary', failedOver: true });
  const actions = await request(t.app).get('/api/self-healing/actions?type=model_failover');
  return actions.body.items[0].id as string;
}

async function routerState(t: TestApp): Promise<Record<string, any>> {
  const res = await request(t.app).get('/api/health/router');
  expect(res.status).toBe(200);
  return res.body as Record<string, any>;
}

async function failbacksOf(t: TestApp, failoverId: string): Promise<Record<string, any>[]> {
  const res = await request(t.app).get(`/api/self-healing/actions?failbackOf=${failoverId}`);
  expect(res.status).toBe(200);
  return res.body.items as Record<string, any>[];
}

async function rounds(t: TestApp, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await t.services.failback.run();
}

describe('failback: probing the primary while failed over', () => {
  it('probes a primary that is down, sees it come back, and fails back after the streak and the hold', async () => {
    await primary.setMode('down');
    const t = await app();
    const failoverId = await failOver(t);
    const failedOverAt = t.clock.now().getTime();

    await rounds(t, 2);
    let state = await routerState(t);
    expect(state.probes).toHaveLength(2);
    expect(state.probes[1]).toMatchObject({ ok: false, reason: 'connection refused' });
    expect(state.healthyStreak).toBe(0);
    expect(state.failback.failoverActionId).toBe(failoverId);

    await primary.setMode('healthy');
    await rounds(t, 3);
    state = await routerState(t);
    expect(state.healthyStreak).toBe(3);
    expect(state.probes.at(-1)).toMatchObject({ ok: true, reason: 'HTTP 200' });
    expect(state.probes.at(-1).latencyMs).toBeGreaterThanOrEqual(0);
    // Streak complete, hold not yet over: still on the secondary, failback due when the hold ends.
    expect(state.current).toBe('secondary');
    expect(Date.parse(state.failbackAt)).toBe(failedOverAt + HOLD_S * 1000);
    expect(await failbacksOf(t, failoverId)).toHaveLength(0);

    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    state = await routerState(t);
    expect(state).toMatchObject({ current: 'primary', failedOver: false, probes: [], healthyStreak: 0, failbackAt: null });
    const [failback] = await failbacksOf(t, failoverId);
    expect(failback).toMatchObject({
      type: 'model_failover',
      params: { target: 'primary' },
      requestedBy: `failback:${failoverId}`,
      failbackOf: failoverId,
      status: 'succeeded',
      rule: 'slow-primary',
      outcome: 'pending',
      verify: { windowMinutes: 1, onIneffective: 'revert' },
    });
    expect(state.failback.pendingFailbackId).toBe(failback!.id);

    // Verified like any failover: the rule no longer matches → effective, and the hold stays at its minimum.
    t.clock.advance(1000);
    await ingestSnapshot(t, FINE, 'agentx');
    t.clock.advance(61_000);
    await t.services.verification.decideDue();
    const verified = await request(t.app).get(`/api/self-healing/actions/${failback!.id}`);
    expect(verified.body.outcome).toBe('effective');
    await rounds(t, 1);
    state = await routerState(t);
    expect(state.failback).toMatchObject({ pendingFailbackId: null, holdSeconds: HOLD_S, failbacksLastHour: 1 });

    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/self_healing_failover_active 0/);
  });

  it('a primary that flaps faster than the streak never gets traffic back', async () => {
    await primary.setMode('down');
    const t = await app();
    await failOver(t);
    t.clock.advance(HOLD_S * 1000);
    const streaks: number[] = [];
    for (let i = 0; i < 8; i++) {
      await primary.setMode(i % 2 === 0 ? 'healthy' : 'error500');
      await rounds(t, 1);
      streaks.push((await routerState(t)).healthyStreak);
      t.clock.advance(10_000);
    }
    expect(streaks).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    const state = await routerState(t);
    expect(state.current).toBe('secondary');
    expect(state.probes.filter((p: { ok: boolean }) => !p.ok).map((p: { reason: string }) => p.reason)).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 500', 'HTTP 500']);
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/self_healing_failback_healthy_streak 0/);
    expect(metrics.text).toMatch(/self_healing_failback_probe_up 0/);
  });

  it('a hanging primary is a failed probe after modelHosts.timeoutMs, not a stuck round', async () => {
    await primary.setMode('down');
    const t = await app();
    await failOver(t);
    await primary.setMode('slow');
    const started = Date.now();
    await rounds(t, 1);
    const took = Date.now() - started;
    const state = await routerState(t);
    expect(state.probes.at(-1)).toMatchObject({ ok: false, reason: `timed out after ${TIMEOUT_MS} ms` });
    expect(state.probes.at(-1).latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    // The host would answer after 3 s; the round (primary, then the secondary) ended long before.
    expect(took).toBeLessThan(2500);
    expect(state.failback.secondaryProbe).toMatchObject({ ok: true, reason: 'HTTP 200' });
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/self_healing_failback_probe_latency_seconds 0\.[3-9]/);
  });

  it('a failback that does not hold goes back to the secondary and doubles the hold; past maxFailbacksPerHour an operator decides', async () => {
    const t = await app();
    await primary.setMode('down');
    const failoverId = await failOver(t);
    await primary.setMode('healthy');

    // First failback after 300 s; the rule matches again during its window → reverted, hold 600 s.
    await rounds(t, 3);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    expect((await routerState(t)).current).toBe('primary');
    t.clock.advance(1000);
    await ingestSnapshot(t, SLOW, 'agentx');
    t.clock.advance(61_000);
    await t.services.verification.decideDue();
    let state = await routerState(t);
    expect(state.current).toBe('secondary');
    const [first] = await failbacksOf(t, failoverId);
    expect(first).toMatchObject({ outcome: 'ineffective' });
    expect(first!.revertedBy).toEqual(expect.any(String));

    await rounds(t, 3);
    state = await routerState(t);
    expect(state.failback.holdSeconds).toBe(2 * HOLD_S);
    expect(state.healthyStreak).toBe(3);
    const backOnSecondary = Date.parse(state.failoverTimestamp);
    expect(Date.parse(state.failbackAt)).toBe(backOnSecondary + 2 * HOLD_S * 1000);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    expect((await routerState(t)).current).toBe('secondary');

    // Second failback after 600 s, same story → hold 1200 s.
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    expect((await routerState(t)).current).toBe('primary');
    t.clock.advance(1000);
    await ingestSnapshot(t, SLOW, 'agentx');
    t.clock.advance(61_000);
    await t.services.verification.decideDue();
    await rounds(t, 3);
    state = await routerState(t);
    expect(state).toMatchObject({ current: 'secondary', failback: { holdSeconds: 4 * HOLD_S, failbacksLastHour: 2 } });
    expect(await failbacksOf(t, failoverId)).toHaveLength(2);

    // A third within the hour would exceed maxFailbacksPerHour (2): suspended, one alert, no failback.
    t.clock.advance(4 * HOLD_S * 1000);
    await rounds(t, 3);
    state = await routerState(t);
    expect(state.current).toBe('secondary');
    expect(state.failbackAt).toBeNull();
    expect(state.failback.suspendedAt).toEqual(expect.any(String));
    expect(await failbacksOf(t, failoverId)).toHaveLength(2);
    const alerts = await request(t.app).get('/api/self-healing/alerts');
    const suspended = alerts.body.items.filter((a: { message: string }) => a.message.includes('automatic failback to the primary suspended'));
    expect(suspended).toHaveLength(1);
    expect(suspended[0]).toMatchObject({ severity: 'critical', rule: 'slow-primary', actionId: failoverId });

    // The operator decides: reset by hand ends the suspension.
    const reset = await request(t.app).post('/api/health/router/reset').send({ by: 'alice' });
    expect(reset.status).toBe(200);
    expect((await routerState(t)).failback.suspendedAt).toBeNull();
  });

  it('the primary failing while probing resets the streak; both hosts failing raises one critical alert and changes nothing', async () => {
    await primary.setMode('down');
    const t = await app();
    await failOver(t);
    await primary.setMode('healthy');
    await rounds(t, 2);
    expect((await routerState(t)).healthyStreak).toBe(2);
    await primary.setMode('down');
    await rounds(t, 1);
    expect((await routerState(t)).healthyStreak).toBe(0);

    await secondary.setMode('down');
    await rounds(t, 3);
    const state = await routerState(t);
    expect(state).toMatchObject({ current: 'secondary', failedOver: true, healthyStreak: 0 });
    expect(state.failback.secondaryProbe).toMatchObject({ ok: false, reason: 'connection refused' });
    const alerts = (await request(t.app).get('/api/self-healing/alerts')).body.items.filter((a: { message: string }) =>
      a.message.startsWith('both model hosts are unhealthy'),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0].severity).toBe('critical');
  });

  it('with requiresApproval the failback waits for a person, and approving runs it although its rule no longer matches', async () => {
    await primary.setMode('down');
    const t = await app({ failback: { requiresApproval: true } });
    const failoverId = await failOver(t);
    await primary.setMode('healthy');
    await ingestSnapshot(t, FINE, 'agentx');
    await rounds(t, 3);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 2);
    const pending = await failbacksOf(t, failoverId);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'pending_approval', failbackOf: failoverId });
    let state = await routerState(t);
    expect(state).toMatchObject({ current: 'secondary', failbackAt: null, failback: { pendingFailbackId: pending[0]!.id } });

    const approved = await request(t.app).post(`/api/self-healing/actions/${pending[0]!.id}/approve`).send({ by: 'alice' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('succeeded');
    state = await routerState(t);
    expect(state.current).toBe('primary');
  });

  it('while automation is paused no failback is dispatched; it comes once resumed', async () => {
    await primary.setMode('down');
    const t = await app();
    const failoverId = await failOver(t);
    await primary.setMode('healthy');
    const paused = await request(t.app).post('/api/self-healing/pause').send({ reason: 'incident' });
    expect(paused.status).toBe(200);
    await rounds(t, 3);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 2);
    expect(await failbacksOf(t, failoverId)).toHaveLength(0);
    expect((await routerState(t)).current).toBe('secondary');
    await request(t.app).delete('/api/self-healing/pause');
    await rounds(t, 1);
    expect(await failbacksOf(t, failoverId)).toHaveLength(1);
    expect((await routerState(t)).current).toBe('primary');
  });
});

describe('failback and incidents', () => {
  const queueAlert = rule('queue-backlog', {
    conditions: { all: [{ fact: 'queue', path: '$.waiting', operator: 'greaterThan', value: 100 }] },
    cooldownMinutes: 0,
  });

  it("joins its failover's open incident, is told as a change, and is not counted in the incident's budget", async () => {
    const t = await app({ moreRules: [queueAlert], config: { limits: { perTarget: { windowMinutes: 60, maxActions: 20 }, perIncident: { maxActions: 2 } } } });
    const failoverId = await failOver(t);
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    const failover = (await request(t.app).get(`/api/self-healing/actions/${failoverId}`)).body;
    expect(failover.incidentId).toBe(incident!.id);
    t.clock.advance(30_000);
    await t.services.incidents.sweep(); // past the group wait: the incident's opened notice
    expect(await t.store.incidents.notices(incident!.id)).toEqual(['opened']);

    await rounds(t, 3);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    const [failback] = await failbacksOf(t, failoverId);
    expect(failback).toMatchObject({ status: 'succeeded', incidentId: incident!.id });
    expect(await t.store.incidents.notices(incident!.id)).toEqual(['opened', `action:${failback!.id}`]);
    const detail = (await request(t.app).get(`/api/self-healing/incidents/${incident!.id}`)).body;
    expect(detail.actions.map((a: { id: string }) => a.id).sort()).toEqual([failoverId, failback!.id].sort());

    // limits.perIncident 2: the failover is one; the failback, like a revert, is none, so one more may act.
    const more = await ingestSnapshot(t, { ...FINE, queue: { waiting: 500 } }, 'agentx');
    expect(more.decisions).toEqual([expect.objectContaining({ rule: 'queue-backlog', decision: 'execute' })]);
  });

  it('joins none once its failover\'s incident has been resolved', async () => {
    const t = await app();
    const failoverId = await failOver(t);
    const [incident] = (await t.store.incidents.listIncidents({ limit: 5 })).items;
    t.clock.advance(1000);
    await ingestSnapshot(t, FINE, 'agentx');
    await t.services.incidents.sweep(); // the rule no longer matches the source's newest snapshot
    expect((await t.store.incidents.getIncident(incident!.id))!.state).toBe('resolved');

    await rounds(t, 3);
    t.clock.advance(HOLD_S * 1000);
    await rounds(t, 1);
    const [failback] = await failbacksOf(t, failoverId);
    expect(failback).toMatchObject({ status: 'succeeded' });
    expect(failback!.incidentId).toBeUndefined();
  });
});

describe('failback with two instances on one store', () => {
  it('only the periodic-work lease holder probes, and two rounds at once dispatch one failback', async () => {
    await primary.setMode('down');
    const dir = makeTempDir('shre-failback-two-');
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const a = await app({ dir, clock, instanceId: 'instance-a' });
    const b = await app({ dir, clock, instanceId: 'instance-b' });
    expect(a.services.sweeps.holdsLease).toBe(true);
    expect(b.services.sweeps.holdsLease).toBe(false);
    const failoverId = await failOver(a);
    await primary.setMode('healthy');

    const before = primary.healthRequests;
    for (let i = 0; i < 3; i++) {
      expect(await b.services.sweeps.runOnce()).toBe(false);
      expect(await a.services.sweeps.runOnce()).toBe(true);
    }
    // Three rounds on the holder; none on the other instance.
    expect(primary.healthRequests - before).toBe(3);
    // Both instances show what the holder saw.
    expect((await routerState(b)).healthyStreak).toBe(3);
    expect((await routerState(b)).probes).toEqual((await routerState(a)).probes);

    clock.advance(HOLD_S * 1000);
    await Promise.all([a.services.failback.run(), b.services.failback.run(), a.services.failback.run()]);
    const failbacks = await failbacksOf(b, failoverId);
    expect(failbacks).toHaveLength(1);
    expect(failbacks[0]).toMatchObject({ status: 'succeeded', requestedBy: `failback:${failoverId}` });
    expect((await routerState(b)).current).toBe('primary');
  });
});

describe('failback hold across a restart', () => {
  it('a doubled hold and the failbacks of the last hour survive a restart', async () => {
    await primary.setMode('down');
    const dir = makeTempDir('shre-failback-restart-');
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const first = await app({ dir, clock });
    const failoverId = await failOver(first);
    await primary.setMode('healthy');
    await rounds(first, 3);
    clock.advance(HOLD_S * 1000);
    await rounds(first, 1);
    clock.advance(1000);
    await ingestSnapshot(first, SLOW, 'agentx');
    clock.advance(61_000);
    await first.services.verification.decideDue();
    await rounds(first, 1);
    expect((await routerState(first)).failback).toMatchObject({ holdSeconds: 2 * HOLD_S, failbacksLastHour: 1, failoverActionId: failoverId });
    await first.stop();
    apps.splice(apps.indexOf(first), 1);

    const second = await app({ dir, clock });
    const state = await routerState(second);
    expect(state).toMatchObject({ current: 'secondary', failback: { holdSeconds: 2 * HOLD_S, failbacksLastHour: 1, failoverActionId: failoverId } });
    expect(Date.parse(state.failbackAt)).toBeGreaterThanOrEqual(Date.parse(state.failoverTimestamp) + 2 * HOLD_S * 1000);
  });
});
