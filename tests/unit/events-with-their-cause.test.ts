import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord } from '../../src/domain/action';
import type { Notifier } from '../../src/domain/events';
import { PauseService } from '../../src/execution/pause';
import { RevertService } from '../../src/closed-loop-service/reverts';
import { AlertService } from '../../src/targets/alert-service';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { StrategyMap } from '../../src/strategies/strategy';

/**
 * The pause switch and an escalation commit their events in the same store write as the change
 * they announce: with a notifier that hears nothing (the process died right after the write),
 * the events are still there for the relay, with the ids the live notification would have had.
 */

const logger = winston.createLogger({ silent: true });
const config = loadConfig({ env: {} });
const deaf: Notifier = { notify: () => undefined };

describe('events committed with their cause', () => {
  let store: SqliteStore;
  let clock: ManualClock;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    clock = new ManualClock('2026-03-01T10:00:00Z');
  });
  afterEach(() => store.close());

  const pendingTypes = async () => (await store.committedEvents.pending(100)).map((p) => p.event);

  it('pausing and resuming commit automation.paused and automation.resumed with the switch', async () => {
    const pause = new PauseService({ store, config, clock, logger, notifier: deaf });
    await pause.pause({ reason: 'incident 7', by: 'ops' });
    let events = await pendingTypes();
    expect(events.map((e) => e.type)).toEqual(['automation.paused']);
    expect(events[0]!.data).toMatchObject({ paused: true, reason: 'incident 7', by: 'ops' });
    expect((await store.getPauseState())?.value.paused).toBe(true);

    clock.advance(1000);
    await expect(pause.resume('ann')).resolves.toMatchObject({ resumed: true });
    // Resuming what is not paused writes nothing, so announces nothing.
    await expect(pause.resume('ann')).resolves.toMatchObject({ resumed: false });
    events = await pendingTypes();
    expect(events.map((e) => e.type)).toEqual(['automation.paused', 'automation.resumed']);
    expect(events[1]!.data).toMatchObject({ by: 'ann', how: 'resumed', pausedBy: 'ops', reason: 'incident 7' });
  });

  it('a pause ended by expiry is announced once, however many instances sweep', async () => {
    const a = new PauseService({ store, config, clock, logger, notifier: deaf });
    const b = new PauseService({ store, config, clock, logger, notifier: deaf });
    await a.pause({ reason: 'deploy', until: '2026-03-01T10:05:00Z', by: 'ops' });
    clock.advance(5 * 60_000);
    const ended = await Promise.all([a.endIfExpired(), b.endIfExpired(), a.endIfExpired()]);
    expect(ended.filter(Boolean)).toHaveLength(1);
    const resumed = (await pendingTypes()).filter((e) => e.type === 'automation.resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.data.how).toBe('expired');
  });

  it('the live notification and the committed event are one event (one id, for deduplication)', async () => {
    const heard: string[] = [];
    const pause = new PauseService({ store, config, clock, logger, notifier: { notify: (e) => heard.push(e.id) } });
    await pause.pause({ reason: 'x', by: 'ops' });
    expect((await pendingTypes()).map((e) => e.id)).toEqual(heard);
  });

  it('an escalation commits action.ineffective with its alert', async () => {
    const deps = { store, config, clock, logger, notifier: deaf };
    const alerts = new AlertService(deps);
    const reverts = new RevertService({
      ...deps,
      strategies: new Map() as StrategyMap,
      executor: { run: async (a: ActionRecord) => a },
      alerts,
      rules: { channelsFor: () => ['log', 'n8n'], isLoaded: () => false, current: () => { throw new Error('not loaded'); } },
      instanceId: 'test',
    });
    const action = {
      id: 'act-1',
      rule: 'slow-down',
      type: 'throttle',
      severity: 'warning',
      outcome: 'ineffective',
      outcomeAt: clock.now(),
    } as unknown as ActionRecord;
    await reverts.escalate(action, 'no inverse', { errorRate: 0.5 });

    const events = await pendingTypes();
    expect(events.map((e) => e.type)).toEqual(['alert.created', 'action.ineffective']);
    expect(events[1]).toMatchObject({ severity: 'critical', channels: ['log', 'n8n'], data: { why: 'no inverse', latestMetrics: { errorRate: 0.5 } } });
    const listed = await store.listAlerts({ limit: 10 } as never);
    expect(listed.items).toHaveLength(1);
    expect(events[0]!.data.alertId).toBe(listed.items[0]!.id);
  });
});
