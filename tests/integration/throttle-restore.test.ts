import request from 'supertest';
import { ingestSnapshot } from '../helpers/app-ingest';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

// A throttle that comes back in steps, on the injected clock; the sweep is run by hand.
const MIN = 60_000;
const BAD = { errorRate: 0.2 };
const GOOD = { errorRate: 0.01 };

let t: TestApp;

beforeEach(async () => {
  t = await buildTestApp({
    rules: rulesDoc(
      rule('errors-throttle', {
        conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.05 }] },
        action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 10, restore: { steps: [0.75, 1], stepMinutes: 5 } } },
        cooldownMinutes: 240,
        verify: false,
      }),
    ),
  });
});

afterEach(async () => {
  await t.stop();
});

async function throttleState(): Promise<Record<string, any>> {
  const res = await request(t.app).get('/api/self-healing/throttle');
  expect(res.status).toBe(200);
  return res.body as Record<string, any>;
}

/** Moves the clock to `minutes` after the start, with a snapshot from the source a minute before. */
async function at(minutes: number, metrics: Record<string, unknown>): Promise<Record<string, any>> {
  const start = Date.parse('2026-03-01T10:00:00Z');
  t.clock.set(new Date(start + (minutes - 1) * MIN));
  await ingestSnapshot(t, metrics, 'agentx');
  t.clock.set(new Date(start + minutes * MIN));
  await t.services.sweeps.runOnce();
  return throttleState();
}

describe('throttle restore in steps', () => {
  it('steps up only while the rule no longer matches, goes back one step when it matches again, and records it', async () => {
    await ingestSnapshot(t, BAD, 'agentx');
    expect(await throttleState()).toMatchObject({ active: true, factor: 0.5, limit: 50, restore: { steps: [0.75, 1], stepMinutes: 5, next: 0 } });

    // At the deadline the rule still matches: held at 0.5 for another step.
    let state = await at(10, BAD);
    expect(state).toMatchObject({ active: true, factor: 0.5, until: '2026-03-01T10:15:00.000Z' });
    expect(state.restore.history).toEqual([]);

    // No longer matches: one step up, to 75 %.
    state = await at(15, GOOD);
    expect(state).toMatchObject({ active: true, factor: 0.75, limit: 75, until: '2026-03-01T10:20:00.000Z' });

    // Matches again after that step: back one step, recorded.
    state = await at(20, BAD);
    expect(state).toMatchObject({ active: true, factor: 0.5, limit: 50 });
    expect(state.restore.history.at(-1)).toMatchObject({
      at: '2026-03-01T10:20:00.000Z',
      change: 'stepped_back',
      from: 0.75,
      to: 0.5,
      reason: expect.stringContaining('rule errors-throttle matches again'),
    });
    const events = t.notifier.ofType('throttle.changed').map((e) => e.data.change);
    expect(events).toEqual(['activated', 'held', 'stepped', 'stepped_back']);

    state = await at(25, GOOD);
    expect(state.factor).toBe(0.75);
    state = await at(30, GOOD);
    expect(state).toMatchObject({ active: false, factor: 1, limit: 100 });
    expect(state.restore.history.map((h: { change: string; to: number }) => `${h.change} ${h.to}`)).toEqual([
      'stepped 0.75',
      'stepped_back 0.5',
      'stepped 0.75',
      'restored 1',
    ]);
  });

  it('a read past the deadline does not jump back to 100 %: the step waits for the sweep', async () => {
    await ingestSnapshot(t, BAD, 'agentx');
    t.clock.advance(11 * MIN);
    expect(await throttleState()).toMatchObject({ active: true, factor: 0.5 });
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/self_healing_throttle_factor 0\.5/);
  });
});
