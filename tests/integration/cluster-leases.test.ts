import request from 'supertest';
import { ManualClock } from '../../src/clock';
import type { ActionRecord } from '../../src/domain/action';
import { newAction } from '../../src/pipeline/new-action';
import { FakeModelHost } from '../helpers/fake-model-host';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

// Two apps on one SQLite file and one manual clock stand for two instances. Renewal timers run in
// real time every leaseRenewMs, so both are set far beyond the test's duration: leases then change
// only when the test moves the clock or an instance lets go.
const TTL_MS = 600_000;
const cluster = (instanceId: string) => ({
  cluster: { instanceId, leaseTtlMs: TTL_MS, leaseRenewMs: TTL_MS / 2 },
  // Shorter than the lease, so an approval falls due while `a` still holds it.
  approvals: { timeoutMinutes: 1 },
});

async function insertRunning(t: TestApp, name: string, runner: string | null, steps: ActionRecord['steps'] = undefined): Promise<ActionRecord> {
  const action = newAction({
    rule: t.services.rules.current().byName.get('a')!,
    status: 'running',
    now: t.clock.now(),
    requestedBy: 'test',
    snapshot: null,
    matchedFacts: {},
    expiresAt: null,
    runner,
  });
  const outcome = await t.services.store.dispatchAction({ ...action, rule: name, ...(steps ? { steps } : {}) }, t.clock.now(), t.clock.now());
  if (!outcome.ok) throw new Error(`could not insert ${name}`);
  return outcome.action;
}

async function statusOf(t: TestApp, id: string): Promise<{ status: string; error: string | null; runner?: string | null }> {
  return (await request(t.app).get(`/api/self-healing/actions/${id}`)).body;
}

describe('several instances on one store', () => {
  const started: TestApp[] = [];
  afterEach(async () => {
    for (const t of started.splice(0)) await t.stop().catch(() => undefined);
  });

  async function instance(id: string, clock: ManualClock, dir?: string): Promise<TestApp> {
    const rules = rulesDoc(rule('a'), rule('gated', { requiresApproval: true, conditions: { all: [{ fact: 'gate', operator: 'equal', value: 1 }] } }));
    const t = await buildTestApp({ clock, config: cluster(id), ...(dir ? { dir } : { rules }) });
    started.push(t);
    return t;
  }

  it('runs periodic work only on the lease holder, and another instance takes over when the lease expires or is released', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const a = await instance('a', clock);
    const b = await instance('b', clock, a.dir);
    expect((await request(a.app).get('/api/health')).body.instance).toEqual({ id: 'a', periodicWork: true });
    expect((await request(b.app).get('/api/health')).body.instance).toEqual({ id: 'b', periodicWork: false });

    const fired = await request(b.app).post('/api/metrics').send(snapshot({ gate: 1 }));
    const pendingId = fired.body.decisions[0].actionId as string;
    clock.advance(a.config.approvals.timeoutMinutes * 60_000 + 1);
    expect(await b.services.sweeps.runOnce()).toBe(false);
    expect((await statusOf(b, pendingId)).status).toBe('pending_approval');
    expect(await a.services.sweeps.runOnce()).toBe(true);
    expect((await statusOf(b, pendingId)).status).toBe('expired');

    // `a` stops renewing (as if it hung or died): once its lease has expired, `b` takes over.
    clock.advance(TTL_MS - 1);
    expect(await b.services.sweeps.runOnce()).toBe(false);
    clock.advance(2);
    expect(await b.services.sweeps.runOnce()).toBe(true);
    expect(b.services.sweeps.holdsLease).toBe(true);
    expect(a.services.sweeps.holdsLease).toBe(false);
    expect(await a.services.sweeps.runOnce()).toBe(false);
    expect(a.logLines.some((l) => l.includes('periodic-work lease lost to another instance'))).toBe(true);

    // A graceful stop hands the lease over at once, without waiting for it to expire.
    await b.stop();
    started.splice(started.indexOf(b), 1);
    expect(await a.services.sweeps.runOnce()).toBe(true);
    expect(b.logLines.some((l) => l.includes('periodic-work lease released'))).toBe(true);
  });

  it('fails as interrupted only the unfinished actions whose instance is gone', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const a = await instance('a', clock);
    const ofA = await insertRunning(a, 'run-by-a', 'a');
    // The ghost died in the middle of a PM2 reload: recovery says so, from the steps it recorded.
    const at = a.clock.now().toISOString();
    const ofGhost = await insertRunning(a, 'run-by-ghost', 'ghost', [
      { name: 'strategy', phase: 'before', at },
      { name: 'pm2 reload', phase: 'before', at },
    ]);
    const legacy = await insertRunning(a, 'no-runner', null);
    const ofB = await insertRunning(a, 'run-by-earlier-b', 'b');

    // `b` starts while `a` is alive: a's action is left alone; what a dead or unknown instance
    // left, and what `b` itself left before restarting with the same id, is failed.
    const b = await instance('b', clock, a.dir);
    expect(await statusOf(b, ofA.id)).toMatchObject({ status: 'running', runner: 'a' });
    expect(await statusOf(b, ofGhost.id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^interrupted: instance ghost stopped .*during "pm2 reload", which may or may not have taken effect$/),
    });
    expect(await statusOf(b, legacy.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
    expect(await statusOf(b, ofB.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted: instance b restarted/) });

    // While `a` holds its lease, the recovery sweep (run by `b` once it has the periodic lease)
    // leaves a's action be; once a's liveness lease has expired it fails it.
    clock.advance(TTL_MS + 1);
    // `b` renews its own liveness at its next tick; here the test does it for it.
    await b.services.store.acquireLease('instance:b', 'b', TTL_MS, clock.now());
    expect(await b.services.sweeps.runOnce()).toBe(true);
    expect(await statusOf(b, ofA.id)).toMatchObject({
      status: 'failed',
      error: 'interrupted: instance a stopped (its liveness lease expired) while the action was running; its strategy had not started: nothing was done',
    });
    const warned = b.logLines.filter((l) => l.includes('interrupted action marked failed'));
    expect(warned).toHaveLength(4);
    expect(a.notifier.events.filter((e) => e.type === 'action.failed')).toHaveLength(0);
    expect(b.notifier.events.filter((e) => e.type === 'action.failed')).toHaveLength(4);
  });

  it('fails its own leftover actions (outcome never recorded), never one it is still running', async () => {
    const secondary = await FakeModelHost.start({ slowMs: 1500 });
    await secondary.setMode('slow');
    try {
      const clock = new ManualClock('2026-03-01T10:00:00Z');
      const rules = rulesDoc(rule('a'), rule('slow', { conditions: { all: [{ fact: 'slow', operator: 'equal', value: 1 }] }, action: { type: 'model_failover', params: {} } }));
      const b = await buildTestApp({
        clock,
        rules,
        config: { ...cluster('b'), modelHosts: { secondary: secondary.url, timeoutMs: 5000 } },
      });
      started.push(b);
      const live = (await request(b.app).post('/api/metrics').send(snapshot({ slow: 1 }))).body.decisions[0];
      expect(live.status).toBe('running');
      const leftover = await insertRunning(b, 'left-by-b', 'b');
      expect(await b.services.sweeps.runOnce()).toBe(true);
      expect((await statusOf(b, leftover.id)).status).toBe('running'); // too recent to tell
      clock.advance(TTL_MS + 1);
      await b.services.store.acquireLease('instance:b', 'b', TTL_MS, clock.now());
      expect(await b.services.sweeps.runOnce()).toBe(true);
      expect(await statusOf(b, leftover.id)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/^interrupted: instance b no longer runs it/),
      });
      expect((await statusOf(b, live.actionId)).status).toBe('running');
    } finally {
      await secondary.close();
    }
  });

  it('records the instance that runs an action when it is dispatched or approved', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const a = await instance('a', clock);
    const b = await instance('b', clock, a.dir);
    const fired = await request(a.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.5, gate: 1 }));
    const byRule = new Map(fired.body.decisions.map((d: { rule: string; actionId: string }) => [d.rule, d.actionId]));
    expect(await statusOf(a, byRule.get('a') as string)).toMatchObject({ status: 'succeeded', runner: 'a' });
    const gated = byRule.get('gated') as string;
    expect((await statusOf(a, gated)).runner).toBeNull();
    await request(b.app).post(`/api/self-healing/actions/${gated}/approve`).send({ by: 'ops' }).expect(200);
    expect(await statusOf(a, gated)).toMatchObject({ status: 'succeeded', runner: 'b' });
  });
});
