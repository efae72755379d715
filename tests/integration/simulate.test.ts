import fs from 'node:fs';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

/** Everything a simulate call could possibly have touched. */
async function observable(t: TestApp) {
  const store = t.services.store;
  return {
    snapshots: await store.countSnapshots(),
    actions: await store.listActions({ limit: 500 }),
    states: [...(await store.getRuleStates(['a', 'gated', 'cold', 'off', 'path'])).entries()],
    alerts: await store.listAlerts({ limit: 500 }),
    throttle: await store.getThrottleState(),
    failover: await store.getFailoverState(),
    prompts: await store.listPrompts(),
    events: t.notifier.events.length,
    rulesFile: fs.readFileSync(t.rulesFile, 'utf8'),
  };
}

describe('POST /api/self-healing/simulate', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('a', { priority: 30 }),
        rule('gated', { priority: 20, requiresApproval: true }),
        rule('cold', { priority: 10, action: { type: 'throttle', params: {} } }),
        rule('off', { enabled: false }),
        rule('path', {
          conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
          action: { type: 'model_failover', params: {} },
        }),
      ),
    });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('with a snapshot: every rule, matched or not, with the decision ingest would take and why', async () => {
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 })); // nothing fires
    // Put "cold" into cooldown and "gated" into a pending approval through a real ingest.
    await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.3 }));
    t.clock.advance(60_000);
    const before = await observable(t);
    const res = await request(t.app)
      .post('/api/self-healing/simulate')
      .send({ snapshot: snapshot({ errorRate: 0.3, ollama: { avgResponseTimeMs: 1200 } }) });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    const byRule = Object.fromEntries(res.body.results.map((r: { rule: string }) => [r.rule, r]));
    expect(byRule.a).toMatchObject({ matched: true, decision: 'cooldown', until: '2026-03-01T10:10:00.000Z' });
    expect(byRule.cold).toMatchObject({ matched: true, decision: 'cooldown' });
    expect(byRule.gated).toMatchObject({ matched: true, decision: 'cooldown' });
    expect(byRule.off).toMatchObject({ matched: true, decision: 'disabled', ifEnabled: 'execute' });
    expect(byRule.path).toMatchObject({ matched: false, decision: 'no_match' });
    expect(byRule.path.failedConditions[0]).toMatchObject({ fact: 'ollama', path: '$.avgResponseTimeMs', factValue: 1200 });
    expect(byRule.path.reason).toContain('ollama.avgResponseTimeMs greaterThan 5000 was false (value: 1200)');
    expect(await observable(t)).toEqual(before);
  });

  it('shows duplicate_pending once the cooldown is over but the approval is still open', async () => {
    await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.3 }));
    t.clock.advance(11 * 60_000);
    const res = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'gated', snapshot: snapshot({ errorRate: 0.3 }) });
    expect(res.body.results).toHaveLength(1);
    expect(res.body.results[0]).toMatchObject({ rule: 'gated', decision: 'duplicate_pending' });
    expect(res.body.results[0].actionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('with only a rule name (the legacy form): that rule as if it had matched, changing nothing', async () => {
    const before = await observable(t);
    const res = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'gated' });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ rule: 'gated', matched: true, decision: 'require_approval', requiresApproval: true }),
    ]);
    const exec = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'a' });
    expect(exec.body.results[0].decision).toBe('execute');
    expect(await observable(t)).toEqual(before);
  });

  it('with a rule name and a snapshot that does not match: no_match with the failed condition', async () => {
    const res = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'a', snapshot: snapshot({ errorRate: 0.01 }) });
    expect(res.body.results[0]).toMatchObject({ rule: 'a', matched: false, decision: 'no_match' });
    expect(res.body.results[0].failedConditions).toEqual([
      { fact: 'errorRate', operator: 'greaterThan', value: 0.05, factValue: 0.01, result: false },
    ]);
  });

  it('answers the same decisions the next ingest takes', async () => {
    const s = snapshot({ errorRate: 0.3, ollama: { avgResponseTimeMs: 9000 } });
    const sim = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: s });
    const simulated = sim.body.results
      .filter((r: { enabled: boolean; matched: boolean }) => r.enabled && r.matched)
      .map((r: { rule: string; decision: string }) => `${r.rule}:${r.decision}`);
    const ingest = await request(t.app).post('/api/metrics').send(s);
    expect(ingest.body.decisions.map((d: { rule: string; decision: string }) => `${d.rule}:${d.decision}`)).toEqual(simulated);
  });

  it('rejects bad bodies with 400 and unknown rules with 404', async () => {
    const empty = await request(t.app).post('/api/self-healing/simulate').send({});
    expect(empty.status).toBe(400);
    const badSnap = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: { source: 'x' } });
    expect(badSnap.status).toBe(400);
    expect(badSnap.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/snapshot/timestamp', '/snapshot/metrics']),
    );
    const unknown = await request(t.app).post('/api/self-healing/simulate').send({ ruleName: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('nope');
  });
});
