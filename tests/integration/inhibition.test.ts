import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/** Inhibition over HTTP on the test store: ingest, simulate and the rules API say the same. */

const bad = { errorRate: 0.4 };
const slowDown = rule('slow-down', {
  priority: 90,
  action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } },
  verify: { windowMinutes: 0.5, onIneffective: 'none' },
  inhibits: { rules: ['page-someone'], sameSource: true },
});
const page = rule('page-someone', { priority: 10, cooldownMinutes: 0 });

describe('inhibition', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.stop();
  });

  it('holds a lower rule back on the same snapshot and while the inhibiting action is verified, then lets it act', async () => {
    t = await buildTestApp({ rules: rulesDoc(slowDown, page) });
    const first = await request(t.app).post('/api/metrics?wait=true').send(snapshot(bad, 'agentx'));
    expect(first.status).toBe(200);
    const [throttled, held] = first.body.decisions;
    expect(throttled).toMatchObject({ rule: 'slow-down', decision: 'execute', status: 'succeeded' });
    expect(held).toEqual({
      rule: 'page-someone',
      decision: 'inhibited',
      inhibitedBy: { rule: 'slow-down', actionId: throttled.actionId },
      reason: 'inhibited by rule slow-down (dispatched on this snapshot); would have run alert_only',
    });
    expect(first.body.counts).toEqual({ execute: 1, inhibited: 1 });

    t.clock.advance(10_000);
    const sim = await request(t.app).post('/api/self-healing/simulate').send({ snapshot: snapshot(bad, 'agentx') });
    expect(sim.body.results.find((r: { rule: string }) => r.rule === 'page-someone')).toMatchObject({
      decision: 'inhibited',
      inhibitedBy: { rule: 'slow-down', actionId: throttled.actionId },
      until: '2026-03-01T10:00:30.000Z',
    });
    const other = await request(t.app).post('/api/metrics').send(snapshot(bad, 'elsewhere'));
    expect(other.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['cooldown', 'execute']);
    const again = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(again.body.decisions[1]).toMatchObject({ decision: 'inhibited', inhibitedBy: { actionId: throttled.actionId } });

    t.clock.advance(21_000); // the window ended at 10:00:30
    const free = await request(t.app).post('/api/metrics').send(snapshot(bad, 'agentx'));
    expect(free.body.decisions.map((d: { decision: string }) => d.decision)).toEqual(['cooldown', 'execute']);
    const rules = await request(t.app).get('/api/self-healing/rules');
    expect(rules.body.rules[0].inhibits).toEqual({ rules: ['page-someone'], sameSource: true });
  });
});
