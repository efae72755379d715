import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord } from '../../src/domain/action';
import type { Rule } from '../../src/domain/rule';
import type { PipelineDeps } from '../../src/execution/pipeline-deps';
import { ThrottleService } from '../../src/targets/throttle-service';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { StrategyFailure } from '../../src/strategies/strategy';
import { createThrottleStrategy } from '../../src/strategies/throttle';
import { RecordingNotifier } from '../helpers/recording-notifier';

const logger = winston.createLogger({ silent: true });
const MIN = 60_000;
const START = '2026-03-01T10:00:00.000Z';

function at(minutes: number): string {
  return new Date(Date.parse(START) + minutes * MIN).toISOString();
}

interface Fixture {
  store: SqliteStore;
  clock: ManualClock;
  notifier: RecordingNotifier;
  deps: PipelineDeps;
  throttle: ThrottleService;
}

async function fixture(path = ':memory:', clock = new ManualClock(START)): Promise<Fixture> {
  const store = new SqliteStore({ path });
  await store.init();
  const config = loadConfig({ env: {}, overrides: { throttle: { baseLimit: 100, minFactor: 0.1 } } });
  const notifier = new RecordingNotifier();
  const deps: PipelineDeps = { store, config, clock, logger, notifier };
  return { store, clock, notifier, deps, throttle: new ThrottleService(deps) };
}

describe('ThrottleService', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(() => f.store.close());

  it('is inactive at the base limit when nothing was ever throttled', async () => {
    expect(await f.throttle.getState()).toEqual({
      active: false,
      factor: 1,
      limit: 100,
      baseLimit: 100,
      until: null,
      previous: null,
      reason: null,
    });
  });

  it('throttles to 0.5 for 15 minutes by default, persisted, and says so', async () => {
    const outcome = await f.throttle.apply({ reason: 'error rate high' });
    expect(outcome).toMatchObject({ change: 'activated', changed: true });
    const expected = {
      active: true,
      factor: 0.5,
      limit: 50,
      baseLimit: 100,
      until: at(15),
      previous: { factor: 1, limit: 100 },
      reason: 'error rate high',
    };
    expect(outcome.to).toEqual(expected);
    expect(await f.throttle.getState()).toEqual(expected);
    expect((await f.store.getThrottleState())?.value).toEqual(expected);

    const events = f.notifier.ofType('throttle.changed');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      change: 'activated',
      from: { active: false, factor: 1, limit: 100 },
      to: { active: true, factor: 0.5, limit: 50, until: at(15) },
    });
  });

  it('re-triggering extends the deadline without compounding the factor', async () => {
    await f.throttle.apply({ reason: 'first' });
    f.clock.advance(10 * MIN);
    const again = await f.throttle.apply({ reason: 'second' });
    expect(again.change).toBe('extended');
    expect(again.to).toMatchObject({ factor: 0.5, limit: 50, until: at(25), previous: { factor: 1, limit: 100 } });
    expect(f.notifier.ofType('throttle.changed')).toHaveLength(2);
  });

  it('keeps the later deadline when a shorter throttle is requested', async () => {
    await f.throttle.apply({ reason: 'long', durationMinutes: 60 });
    const again = await f.throttle.apply({ reason: 'short', durationMinutes: 5 });
    expect(again).toMatchObject({ change: 'unchanged', changed: false });
    expect((await f.throttle.getState()).until).toBe(at(60));
    expect(f.notifier.ofType('throttle.changed')).toHaveLength(1);
  });

  it('takes the strictest factor asked for and never goes below the floor', async () => {
    await f.throttle.apply({ reason: 'a', factor: 0.5 });
    const stricter = await f.throttle.apply({ reason: 'b', factor: 0.2 });
    expect(stricter.to).toMatchObject({ factor: 0.2, limit: 20 });
    expect(stricter.change).toBe('tightened');
    const looser = await f.throttle.apply({ reason: 'c', factor: 0.9 });
    expect(looser.to.factor).toBe(0.2);
    const belowFloor = await f.throttle.apply({ reason: 'd', factor: 0.01 });
    expect(belowFloor.to).toMatchObject({ factor: 0.1, limit: 10 });
    for (let i = 0; i < 5; i++) await f.throttle.apply({ reason: 'again' });
    expect((await f.throttle.getState()).factor).toBe(0.1);
    expect((await f.throttle.getState()).previous).toEqual({ factor: 1, limit: 100 });
  });

  it('applies the floor on the first trigger too', async () => {
    const outcome = await f.throttle.apply({ reason: 'x', factor: 0.05 });
    expect(outcome.to).toMatchObject({ factor: 0.1, limit: 10 });
    expect(outcome.requestedFactor).toBe(0.05);
  });

  it('refuses factors and durations out of range, changing nothing', async () => {
    await expect(f.throttle.apply({ reason: 'x', factor: 0 })).rejects.toMatchObject({ status: 400 });
    await expect(f.throttle.apply({ reason: 'x', factor: 1.5 })).rejects.toMatchObject({ status: 400 });
    await expect(f.throttle.apply({ reason: 'x', durationMinutes: -1 })).rejects.toMatchObject({ status: 400 });
    expect((await f.throttle.getState()).active).toBe(false);
    expect(await f.store.getThrottleState()).toBeNull();
  });

  it('restoreExpired does nothing before the deadline and restores at it', async () => {
    await f.throttle.apply({ reason: 'x' });
    f.clock.advance(15 * MIN - 1);
    expect(await f.throttle.restoreExpired()).toBe(false);
    expect((await f.store.getThrottleState())?.value.active).toBe(true);
    f.clock.advance(1);
    expect(await f.throttle.restoreExpired()).toBe(true);
    expect(await f.throttle.restoreExpired()).toBe(false);
    expect(await f.throttle.getState()).toEqual({
      active: false,
      factor: 1,
      limit: 100,
      baseLimit: 100,
      until: null,
      previous: null,
      reason: null,
    });
    const events = f.notifier.ofType('throttle.changed');
    expect(events.map((e) => e.data.change)).toEqual(['activated', 'restored']);
    expect(events[1]?.data).toMatchObject({ by: 'expiry', to: { active: false, factor: 1, limit: 100 } });
  });

  it('reads an expired throttle as restored even before the sweep runs', async () => {
    await f.throttle.apply({ reason: 'x' });
    f.clock.advance(20 * MIN);
    expect((await f.throttle.getState()).active).toBe(false);
    expect((await f.store.getThrottleState())?.value.active).toBe(false);
  });

  it('starts afresh when triggered after an unswept expiry', async () => {
    await f.throttle.apply({ reason: 'x', factor: 0.2 });
    f.clock.advance(30 * MIN);
    const outcome = await f.throttle.apply({ reason: 'y' });
    expect(outcome.change).toBe('activated');
    expect(outcome.to).toMatchObject({ factor: 0.5, until: at(45), previous: { factor: 1, limit: 100 } });
  });

  it('restore lifts the throttle at once; restoring again changes nothing', async () => {
    await f.throttle.apply({ reason: 'x' });
    const restored = await f.throttle.restore({ by: 'alice' });
    expect(restored).toMatchObject({ change: 'restored', changed: true, to: { active: false, factor: 1, limit: 100 } });
    expect(await f.throttle.restore({ by: 'alice' })).toMatchObject({ changed: false });
    const events = f.notifier.ofType('throttle.changed');
    expect(events.map((e) => e.data.change)).toEqual(['activated', 'restored']);
    expect(events[1]?.data).toMatchObject({ by: 'alice' });
  });

  it('concurrent triggers end in one consistent throttle', async () => {
    await Promise.all([
      f.throttle.apply({ reason: 'a', factor: 0.5 }),
      f.throttle.apply({ reason: 'b', factor: 0.3 }),
      f.throttle.apply({ reason: 'c', factor: 0.4, durationMinutes: 30 }),
    ]);
    expect(await f.throttle.getState()).toMatchObject({
      active: true,
      factor: 0.3,
      limit: 30,
      until: at(30),
      previous: { factor: 1, limit: 100 },
    });
  });
});

describe('ThrottleService across a restart', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-throttle-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('restores on start when the service was down at the deadline', async () => {
    const file = path.join(dir, 'store.db');
    const before = await fixture(file);
    await before.throttle.apply({ reason: 'cost spike', factor: 0.25, durationMinutes: 10 });
    await before.store.close();

    const after = await fixture(file, new ManualClock(at(60)));
    expect((await after.store.getThrottleState())?.value).toMatchObject({ active: true, factor: 0.25 });
    expect(await after.throttle.restoreExpired()).toBe(true);
    expect(await after.throttle.getState()).toMatchObject({ active: false, factor: 1, limit: 100 });
    expect(after.notifier.ofType('throttle.changed')).toHaveLength(1);
    await after.store.close();
  });

  it('keeps a throttle whose deadline is still ahead after a restart', async () => {
    const file = path.join(dir, 'store.db');
    const before = await fixture(file);
    await before.throttle.apply({ reason: 'x' });
    await before.store.close();

    const after = await fixture(file, new ManualClock(at(5)));
    expect(await after.throttle.restoreExpired()).toBe(false);
    expect(await after.throttle.getState()).toMatchObject({ active: true, factor: 0.5, until: at(15) });
    await after.store.close();
  });
});

describe('throttle strategy', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(() => f.store.close());

  const rule = {
    name: 'cost-spike',
    description: 'Cost per hour above budget',
    notifications: { channels: ['log', 'n8n'] },
  } as unknown as Rule;
  const action = { id: 'act-1', rule: 'cost-spike', severity: 'warning', type: 'throttle', status: 'running', params: {} } as unknown as ActionRecord;

  function run(params: Record<string, unknown>) {
    const strategy = createThrottleStrategy({ ...f.deps, throttle: f.throttle });
    return strategy.execute({ action, params, rule, signal: new AbortController().signal, logger });
  }

  it('throttles with the defaults and reports from, to and until', async () => {
    const result = await run({});
    expect(result).toMatchObject({
      changed: true,
      details: {
        from: { active: false, factor: 1, limit: 100 },
        to: { active: true, factor: 0.5, limit: 50 },
        until: at(15),
      },
    });
    expect(result.summary).toMatch(/throttled to 50%/);
    expect(result.checks?.every((c) => c.ok)).toBe(true);
    const [event] = f.notifier.ofType('throttle.changed');
    expect(event).toMatchObject({ rule: 'cost-spike', channels: ['log', 'n8n'], action: { id: 'act-1' } });
    expect(event?.data.reason).toBe('rule cost-spike: Cost per hour above budget');
  });

  it('uses rule params and reports a re-trigger that changes nothing', async () => {
    await run({ factor: 0.3, durationMinutes: 60 });
    const again = await run({ factor: 0.5, durationMinutes: 10 });
    expect(again.changed).toBe(false);
    expect(again.details).toMatchObject({ to: { factor: 0.3, limit: 30 }, until: at(60) });
  });

  it('fails on bad params without changing anything', async () => {
    await expect(run({ factor: 'half' })).rejects.toBeInstanceOf(StrategyFailure);
    await expect(run({ factor: 2 })).rejects.toMatchObject({ details: { reason: 'invalid_params' } });
    expect((await f.throttle.getState()).active).toBe(false);
  });
});
