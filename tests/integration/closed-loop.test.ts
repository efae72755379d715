import request from 'supertest';
import { FakeModelHost } from '../helpers/fake-model-host';
import { ingestSnapshot } from '../helpers/app-ingest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The closed loop end to end over HTTP on the test store: outcome verification, revert and
 * escalation, per-target budgets, the pause switch, fresh approvals and statistics. Windows are
 * fractions of a minute on the manual clock; the verification sweep is run by hand.
 */

const HALF_MINUTE = 0.5;
const bad = { errorRate: 0.4 };
const good = { errorRate: 0.01 };

async function actionOf(t: TestApp, id: string) {
  const res = await request(t.app).get(`/api/self-healing/actions/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Advances past the window and lets the periodic work decide it (as the lease holder would). */
async function endWindow(t: TestApp, ms = 31_000): Promise<void> {
  t.clock.advance(ms);
  await t.services.sweeps.runOnce();
}

const throttleRule = (overrides: Record<string, unknown> = {}) =>
  rule('slow-down', {
    cooldownMinutes: 10,
    action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } },
    verify: { windowMinutes: HALF_MINUTE, onIneffective: 'revert' },
    ...overrides,
  });

describe('outcome verification and revert', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('marks an action effective when the rule stops matching, with the first recovered snapshot', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule()) });
    const fired = await ingestSnapshot(t, bad);
    const id = fired.decisions[0].actionId as string;
    expect(await actionOf(t, id)).toMatchObject({ status: 'succeeded', outcome: 'pending', target: 'throttle', verify: { windowMinutes: 0.5, onIneffective: 'revert' } });

    t.clock.advance(5_000);
    await ingestSnapshot(t, bad); // still bad (cooldown keeps the rule from firing again)
    t.clock.advance(5_000);
    const recoveredAt = t.clock.now().toISOString();
    await ingestSnapshot(t, good);
    t.clock.advance(5_000);
    await ingestSnapshot(t, good);
    await ingestSnapshot(t, bad, 'another-source'); // other sources do not count
    await endWindow(t);

    const action = await actionOf(t, id);
    expect(action).toMatchObject({ outcome: 'effective', recoveredAt });
    expect(action.outcomeAt).toBeDefined();
    const listed = await request(t.app).get('/api/self-healing/actions?outcome=effective');
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([id]);
    expect(t.notifier.ofType('action.verified').map((e) => e.data.outcome)).toEqual(['effective']);
    expect((await request(t.app).get('/api/self-healing/throttle')).body.active).toBe(true);
  });

  it('reverts an ineffective throttle: a revert action of its own restores the previous rate', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule()) });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    expect((await request(t.app).get('/api/self-healing/throttle')).body).toMatchObject({ active: true, factor: 0.5 });
    t.clock.advance(10_000);
    await ingestSnapshot(t, bad);
    await endWindow(t);

    const original = await actionOf(t, id);
    expect(original.outcome).toBe('ineffective');
    expect(original.revertedBy).toBeDefined();
    const revert = await actionOf(t, original.revertedBy);
    expect(revert).toMatchObject({ revertOf: id, requestedBy: `verify:${id}`, type: 'throttle', status: 'succeeded' });
    expect(revert.outcome).toBeUndefined();
    expect((await request(t.app).get('/api/self-healing/throttle')).body).toMatchObject({ active: false, factor: 1 });
    // Notified like any action; and deciding again changes nothing.
    expect(t.notifier.ofType('action.succeeded').map((e) => e.action?.id)).toContain(revert.id);
    await endWindow(t);
    const all = await request(t.app).get('/api/self-healing/actions');
    expect(all.body.items).toHaveLength(2);
  });

  it('says unknown when no snapshot came from the source during the window', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule()) });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    await ingestSnapshot(t, bad, 'elsewhere');
    await endWindow(t);
    expect(await actionOf(t, id)).toMatchObject({ outcome: 'unknown', recoveredAt: null });
    expect((await request(t.app).get('/api/self-healing/actions?outcome=unknown')).body.items).toHaveLength(1);
  });

  it('escalates what has no inverse: an alert one severity step higher and an action.ineffective event', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('just-tell', { severity: 'warning', verify: { windowMinutes: HALF_MINUTE, onIneffective: 'revert' } })),
    });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    t.clock.advance(10_000);
    await ingestSnapshot(t, { errorRate: 0.5 });
    await endWindow(t);
    expect(await actionOf(t, id)).toMatchObject({ outcome: 'ineffective' });
    const alerts = await request(t.app).get('/api/self-healing/alerts?severity=critical');
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({ actionId: id, metrics: { errorRate: 0.5 } });
    const [event] = t.notifier.ofType('action.ineffective');
    expect(event).toMatchObject({ severity: 'critical', action: { id }, data: { outcome: 'ineffective', latestMetrics: { errorRate: 0.5 } } });
    expect(event?.data.why).toMatch(/no inverse/);
  });

  it('verifies by the type default from config, and a rule can turn it off', async () => {
    t = await buildTestApp({
      rules: rulesDoc(rule('defaulted', { cooldownMinutes: 0 }), rule('unverified', { cooldownMinutes: 0, verify: false })),
      config: { verify: { defaults: { alert_only: { windowMinutes: 0.25, onIneffective: 'escalate' } } } },
    });
    const res = await ingestSnapshot(t, bad);
    const byRule = Object.fromEntries(res.decisions.map((d) => [d.rule, d.actionId as string]));
    expect(await actionOf(t, byRule.defaulted)).toMatchObject({ outcome: 'pending', verify: { windowMinutes: 0.25, onIneffective: 'escalate' } });
    const off = await actionOf(t, byRule.unverified);
    expect(off.outcome).toBeUndefined();
    expect(off.verify).toBeUndefined();
    const rules = await request(t.app).get('/api/self-healing/rules');
    expect(rules.body.rules.find((r: { name: string }) => r.name === 'unverified')).toMatchObject({ verify: false, maxActionsPerTarget: null });
  });

  it('keeps pending verifications in the store: a restarted service decides them', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule()) });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    t.clock.advance(10_000);
    await ingestSnapshot(t, good);
    const { dir, clock } = t;
    await t.stop();
    clock.advance(30_000);
    t = await buildTestApp({ dir, clock }); // start-up runs the periodic work once
    expect(await actionOf(t, id)).toMatchObject({ outcome: 'effective' });
  });
});

describe('reverting by hand', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('reverts a succeeded prompt rollback (compare-and-set) and refuses what cannot be reverted with a 409 naming why', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('bad-prompt', { action: { type: 'prompt_rollback', params: { prompt: 'main' } }, verify: false }),
        rule('tell', { conditions: { all: [{ fact: 'tell', operator: 'equal', value: true }] }, verify: false }),
      ),
    });
    await request(t.app).post('/api/prompts/main/versions').send({ content: 'v1' }).expect(201);
    await request(t.app).post('/api/prompts/main/versions').send({ content: 'v2', activate: true }).expect(201);
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    expect((await request(t.app).get('/api/prompts/main/active')).body.version).toBe(1);

    const reverted = await request(t.app).post(`/api/self-healing/actions/${id}/revert`);
    expect(reverted.status).toBe(200);
    expect(reverted.body).toMatchObject({ revertOf: id, status: 'succeeded', type: 'prompt_rollback' });
    expect((await request(t.app).get('/api/prompts/main/active')).body.version).toBe(2);

    const again = await request(t.app).post(`/api/self-healing/actions/${id}/revert`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_reverted', revertId: reverted.body.id });
    const ofRevert = await request(t.app).post(`/api/self-healing/actions/${reverted.body.id}/revert`);
    expect(ofRevert.body.code).toBe('is_a_revert');
    const alertId = (await ingestSnapshot(t, { tell: true })).decisions[0].actionId as string;
    const noInverse = await request(t.app).post(`/api/self-healing/actions/${alertId}/revert`);
    expect(noInverse.status).toBe(409);
    expect(noInverse.body.code).toBe('no_inverse');
    expect(noInverse.body.detail).toMatch(/alert_only has no inverse/);
  });

  it('refuses to undo a rollback once someone activated another version since (escalates when automatic)', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('bad-prompt', { action: { type: 'prompt_rollback', params: { prompt: 'main' } }, verify: { windowMinutes: HALF_MINUTE, onIneffective: 'revert' } }),
      ),
    });
    await request(t.app).post('/api/prompts/main/versions').send({ content: 'v1' }).expect(201);
    await request(t.app).post('/api/prompts/main/versions').send({ content: 'v2', activate: true }).expect(201);
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    await request(t.app).post('/api/prompts/main/versions').send({ content: 'v3', activate: true }).expect(201);
    t.clock.advance(10_000);
    await ingestSnapshot(t, bad);
    await endWindow(t);

    const original = await actionOf(t, id);
    expect(original.outcome).toBe('ineffective');
    const revert = await actionOf(t, original.revertedBy);
    expect(revert.status).toBe('failed');
    expect(revert.error).toMatch(/not 1; someone changed it/);
    expect((await request(t.app).get('/api/prompts/main/active')).body.version).toBe(3);
    expect(t.notifier.ofType('action.ineffective')).toHaveLength(1);
  });
});

describe('model failover inverse', () => {
  let t: TestApp;
  let primary: FakeModelHost;
  let secondary: FakeModelHost;

  beforeAll(async () => {
    primary = await FakeModelHost.start({ slowMs: 2000 });
    secondary = await FakeModelHost.start({ slowMs: 2000 });
  });
  afterEach(async () => {
    await t.stop();
    await primary.setMode('healthy');
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
  });

  const setup = () =>
    buildTestApp({
      rules: rulesDoc(rule('slow-primary', { action: { type: 'model_failover', params: {} }, verify: { windowMinutes: HALF_MINUTE, onIneffective: 'revert' } })),
      config: { modelHosts: { primary: primary.url, secondary: secondary.url, healthPath: '/api/tags', timeoutMs: 3000 } },
    });

  it('switches back to the previous host after its health check', async () => {
    t = await setup();
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('secondary');
    t.clock.advance(10_000);
    await ingestSnapshot(t, bad);
    await endWindow(t);
    const revert = await actionOf(t, (await actionOf(t, id)).revertedBy);
    expect(revert).toMatchObject({ status: 'succeeded', result: { details: { from: 'secondary', to: 'primary' } } });
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('primary');
  });

  it('stays and escalates when the previous host is unhealthy', async () => {
    t = await setup();
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    await primary.setMode('error500');
    t.clock.advance(10_000);
    await ingestSnapshot(t, bad);
    await endWindow(t);
    const revert = await actionOf(t, (await actionOf(t, id)).revertedBy);
    expect(revert.status).toBe('failed');
    expect(revert.error).toMatch(/unhealthy/);
    expect((await request(t.app).get('/api/health/router')).body.current).toBe('secondary');
    expect(t.notifier.ofType('action.ineffective')[0]?.data.why).toMatch(/revert .* failed/);
  });
});

describe('per-target budgets', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('holds a target after its budget is spent, says until when, raises one critical alert, and does not count reverts', async () => {
    t = await buildTestApp({
      rules: rulesDoc(throttleRule({ cooldownMinutes: 0, maxActionsPerTarget: 2, verify: false })),
      config: { limits: { perTarget: { windowMinutes: 60, maxActions: 3 } } },
    });
    const first = (await ingestSnapshot(t, bad)).decisions[0];
    expect(first.decision).toBe('execute');
    t.clock.advance(60_000);
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('execute');
    t.clock.advance(60_000);
    const held = (await ingestSnapshot(t, bad)).decisions[0];
    expect(held).toMatchObject({ decision: 'budget_exhausted', target: 'throttle', until: '2026-03-01T11:00:00.000Z' });
    expect(held.reason).toContain('throttle');
    expect(held.actionId).toBeUndefined();
    await ingestSnapshot(t, bad);

    const simulated = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: snapshot(bad, 'agentx') });
    expect(simulated.body.results[0]).toMatchObject({ decision: 'budget_exhausted', target: 'throttle', until: '2026-03-01T11:00:00.000Z' });

    const alerts = await request(t.app).get('/api/self-healing/alerts?severity=critical');
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0].message).toMatch(/automation for throttle is held until 2026-03-01T11:00:00.000Z/);

    // A revert is never refused by the budget, and does not use it up.
    expect((await request(t.app).post(`/api/self-healing/actions/${first.actionId}/revert`)).status).toBe(200);
    t.clock.advance(58 * 60_000 + 1); // the first action leaves the window
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('execute');
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('budget_exhausted');
    expect((await request(t.app).get('/api/self-healing/alerts?severity=critical')).body.items).toHaveLength(2);
  });

  it('counts every rule acting on the same target together; alert_only has no target and no budget', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        throttleRule({ name: 'a', cooldownMinutes: 0, verify: false }),
        throttleRule({ name: 'b', cooldownMinutes: 0, verify: false, conditions: { all: [{ fact: 'cost', operator: 'greaterThan', value: 5 }] } }),
        rule('note', { cooldownMinutes: 0, verify: false }),
      ),
      config: { limits: { perTarget: { windowMinutes: 10, maxActions: 1 } } },
    });
    const one = (await ingestSnapshot(t, { ...bad, cost: 1 })).decisions;
    expect(one.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`).sort()).toEqual(['a:execute', 'note:execute']);
    const two = (await ingestSnapshot(t, { errorRate: 0.4, cost: 9 })).decisions;
    expect(two.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`).sort()).toEqual([
      'a:budget_exhausted',
      'b:budget_exhausted',
      'note:execute',
    ]);
  });
});

describe('pause switch', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  const gated = rule('gated', { requiresApproval: true, cooldownMinutes: 0, verify: false, conditions: { all: [{ fact: 'gate', operator: 'equal', value: true }] } });

  it('holds every automatic action and approval, lets reverts run, and resumes', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule({ cooldownMinutes: 0, verify: false }), gated) });
    const pendingId = (await ingestSnapshot(t, { gate: true })).decisions[0].actionId as string;
    const throttled = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;

    const paused = await request(t.app).post('/api/self-healing/pause').send({ reason: 'incident 42' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, reason: 'incident 42', until: null, since: '2026-03-01T10:00:00.000Z' });
    expect((await request(t.app).get('/api/self-healing/pause')).body.paused).toBe(true);
    expect(t.notifier.ofType('automation.paused')).toHaveLength(1);

    const decisions = (await ingestSnapshot(t, { ...bad, gate: true })).decisions as Array<{ rule: string; decision: string; reason: string }>;
    expect(decisions.map((d) => `${d.rule}:${d.decision}`).sort()).toEqual(['gated:duplicate_pending', 'slow-down:paused']);
    expect(decisions.find((d) => d.rule === 'slow-down')?.reason).toMatch(/incident 42/);
    const simulated = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'slow-down' });
    expect(simulated.body.results[0].decision).toBe('paused');
    const triggered = await request(t.app).post('/api/self-healing/rules/slow-down/trigger');
    expect(triggered.body.decisions[0].decision).toBe('paused');

    const approve = await request(t.app).post(`/api/self-healing/actions/${pendingId}/approve`).send({ by: 'ann' });
    expect(approve.status).toBe(409);
    expect(approve.body.code).toBe('paused');
    expect((await actionOf(t, pendingId)).status).toBe('pending_approval');
    expect((await request(t.app).post(`/api/self-healing/actions/${throttled}/revert`)).body.status).toBe('succeeded');
    expect((await request(t.app).get('/api/self-healing/actions')).body.items).toHaveLength(3);

    const resumed = await request(t.app).delete('/api/self-healing/pause');
    expect(resumed.body).toMatchObject({ resumed: true, state: { paused: false } });
    expect(t.notifier.ofType('automation.resumed')).toHaveLength(1);
    expect((await request(t.app).delete('/api/self-healing/pause')).body.resumed).toBe(false);
    const after = (await ingestSnapshot(t, { ...bad, gate: true })).decisions as Array<{ rule: string; decision: string }>;
    expect(after.find((d) => d.rule === 'slow-down')?.decision).toBe('execute');
    expect((await request(t.app).post(`/api/self-healing/actions/${pendingId}/approve`).send({ by: 'ann' })).status).toBe(200);
  });

  it('survives a restart and ends by itself at until, notified once', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule({ verify: false })) });
    await request(t.app).post('/api/self-healing/pause').send({ reason: 'deploy', until: '2026-03-01T10:05:00Z' }).expect(200);
    const { dir, clock } = t;
    await t.stop();
    t = await buildTestApp({ dir, clock });
    expect((await request(t.app).get('/api/self-healing/pause')).body).toMatchObject({ paused: true, until: '2026-03-01T10:05:00.000Z' });
    expect((await ingestSnapshot(t, bad)).decisions[0]).toMatchObject({ decision: 'paused', until: '2026-03-01T10:05:00.000Z' });
    t.clock.advance(5 * 60_000);
    expect((await request(t.app).get('/api/self-healing/pause')).body.paused).toBe(false);
    await t.services.sweeps.runOnce();
    await t.services.sweeps.runOnce();
    expect(t.notifier.ofType('automation.resumed').map((e) => e.data.how)).toEqual(['expired']);
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('execute');
  });

  it('refuses a bad pause with a 400 naming the problem, and changes nothing', async () => {
    t = await buildTestApp({ rules: rulesDoc(throttleRule()) });
    const noReason = await request(t.app).post('/api/self-healing/pause').send({ until: '2026-03-01T11:00:00Z' });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.errors)).toMatch(/reason/);
    const past = await request(t.app).post('/api/self-healing/pause').send({ reason: 'x', until: '2026-03-01T09:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.errors[0].pointer).toBe('/until');
    expect((await request(t.app).get('/api/self-healing/pause')).body.paused).toBe(false);
  });
});

describe('fresh approvals', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('refuses an approval whose condition has cleared, naming the snapshot and the failing conditions; force overrides and is recorded', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('gated', { requiresApproval: true, verify: false })) });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    t.clock.advance(60_000);
    const newer = (await ingestSnapshot(t, good)).snapshotId as string;
    await ingestSnapshot(t, bad, 'unrelated-source');

    const refused = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'ann' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'condition_cleared',
      snapshotId: newer,
      failedConditions: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.05, factValue: 0.01, result: false }],
    });
    expect(refused.body.detail).toContain(newer);
    expect((await actionOf(t, id)).status).toBe('pending_approval');

    const forced = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'ann', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ status: 'succeeded', forcedApproval: { snapshotId: newer } });
  });

  it('approves as before when the newest snapshot still matches', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('gated', { requiresApproval: true, verify: false })) });
    const id = (await ingestSnapshot(t, bad)).decisions[0].actionId as string;
    t.clock.advance(60_000);
    await ingestSnapshot(t, { errorRate: 0.3 });
    const approved = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).send({ by: 'ann' });
    expect(approved.status).toBe(200);
    expect(approved.body.forcedApproval).toBeUndefined();
  });
});

describe('statistics', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('counts per rule, per type and in total, with the effective rate and median recovery and approval waits', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        throttleRule({ cooldownMinutes: 0.5, maxActionsPerTarget: 100, verify: { windowMinutes: HALF_MINUTE, onIneffective: 'none' } }),
        rule('gated', { requiresApproval: true, cooldownMinutes: 0, verify: false, conditions: { all: [{ fact: 'gate', operator: 'equal', value: true }] } }),
      ),
    });
    // One recovers 10 s after it ran (effective); the next still matches at the end of its window.
    await ingestSnapshot(t, bad);
    t.clock.advance(10_000);
    await ingestSnapshot(t, good);
    await endWindow(t, 30_000);
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('execute');
    t.clock.advance(10_000);
    expect((await ingestSnapshot(t, bad)).decisions[0].decision).toBe('cooldown');
    await endWindow(t, 21_000);
    // An approval decided after 120 s, and one rejected after 60 s.
    const a = (await ingestSnapshot(t, { gate: true }, 'g')).decisions[0].actionId as string;
    t.clock.advance(120_000);
    await request(t.app).post(`/api/self-healing/actions/${a}/approve`).send({ by: 'ann' }).expect(200);
    const b = (await ingestSnapshot(t, { gate: true }, 'g')).decisions[0].actionId as string;
    t.clock.advance(60_000);
    await request(t.app).post(`/api/self-healing/actions/${b}/reject`).send({ by: 'ann' }).expect(200);

    const res = await request(t.app).get('/api/self-healing/stats?window=24h');
    expect(res.status).toBe(200);
    const slow = res.body.rules.find((r: { rule: string }) => r.rule === 'slow-down');
    expect(slow).toMatchObject({ dispatched: 2, executed: 2, succeeded: 2, effective: 1, ineffective: 1, unknown: 0, effectiveRate: 0.5, medianRecoverySeconds: 10 });
    const gated = res.body.rules.find((r: { rule: string }) => r.rule === 'gated');
    expect(gated).toMatchObject({ dispatched: 2, executed: 1, succeeded: 1, rejected: 1, medianApprovalWaitSeconds: 90, effectiveRate: null });
    expect(res.body.types.map((x: { type: string }) => x.type)).toEqual(['alert_only', 'throttle']);
    expect(res.body.totals).toMatchObject({ dispatched: 4, succeeded: 3, effective: 1, ineffective: 1 });
    expect(res.body).toMatchObject({ window: '24h', to: t.clock.now().toISOString() });

    t.clock.advance(25 * 3_600_000);
    expect((await request(t.app).get('/api/self-healing/stats')).body.totals.dispatched).toBe(0);
    expect((await request(t.app).get('/api/self-healing/stats?window=7d')).body.totals.dispatched).toBe(4);
    expect((await request(t.app).get('/api/self-healing/stats?window=1y')).status).toBe(400);
  });
});
