import request from 'supertest';
import { sample } from '../helpers/exposition';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * self_healing_action_outcomes_total counts the outcomes the verification sweep really decides:
 * actions run from ingested snapshots, windows judged by the periodic work, /metrics read over HTTP.
 */
describe('GET /metrics: verified outcomes', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  const ingest = (metrics: Record<string, unknown>, source: string) =>
    request(t.app).post('/api/metrics?wait=true').send(snapshot(metrics, source)).expect(200);

  it('counts effective, ineffective and unknown outcomes per rule once each', async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        rule('errors-high', {
          conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] },
          cooldownMinutes: 0,
          verify: { windowMinutes: 0.02, onIneffective: 'none' },
        }),
      ),
    });
    // Three sources, three actions: one recovers, one does not, one sends nothing more.
    for (const source of ['recovers', 'stays-bad', 'goes-quiet']) await ingest({ errorRate: 0.5 }, source);
    t.clock.advance(300);
    await ingest({ errorRate: 0.01 }, 'recovers');
    await ingest({ errorRate: 0.6 }, 'stays-bad');
    const before = (await request(t.app).get('/metrics').expect(200)).text;
    expect(sample(before, 'self_healing_action_outcomes_total', { rule: 'errors-high', outcome: 'effective' })).toBeUndefined();

    t.clock.advance(1_201); // past the 1.2 s window of the last action (at its very end it is not yet decided)
    expect(await t.services.sweeps.runOnce()).toBe(true);
    await t.services.sweeps.runOnce(); // a second sweep finds nothing left to decide

    const outcomes = (await request(t.app).get('/api/self-healing/actions?rule=errors-high&limit=10')).body.items.map(
      (a: { snapshot: { source: string }; outcome: string }) => [a.snapshot.source, a.outcome],
    );
    // No cooldown: the second bad snapshot ran an action of its own, and nothing came after it.
    expect(outcomes.sort()).toEqual([['goes-quiet', 'unknown'], ['recovers', 'effective'], ['stays-bad', 'ineffective'], ['stays-bad', 'unknown']]);
    const text = (await request(t.app).get('/metrics').expect(200)).text;
    const counted = (outcome: string) => sample(text, 'self_healing_action_outcomes_total', { rule: 'errors-high', outcome });
    expect([counted('effective'), counted('ineffective'), counted('unknown')]).toEqual([1, 1, 2]);
  });
});
