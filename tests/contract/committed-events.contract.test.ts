import { buildEvent, type NotificationEvent } from '../../src/domain/events';
import type { ActionRecord } from '../../src/domain/action';
import type { Store } from '../../src/store/store';
import { T0, at, makeAction, makeAlert, makeFailover, makePending, makeThrottle, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * Events committed with their cause, on every adapter: written by the same store call as the
 * change, none when the change is refused, read back in order, and gone once relayed — while an
 * event committed in between stays.
 */
jest.setTimeout(60_000);

const eventOf = (type: NotificationEvent['type'], action: ActionRecord) => buildEvent(type, T0, { action });

describe.each(storeTargets())('committed events: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  it('commits a dispatch event with the action, and none when the dispatch is refused', async () => {
    const first = makePending({ rule: 'r1' });
    const event = eventOf('action.pending_approval', first);
    await expect(store.dispatchAction(first, at(minutes(5)), T0, undefined, [event])).resolves.toMatchObject({ ok: true });
    const refused = makePending({ rule: 'r1' });
    const refusedEvent = eventOf('action.pending_approval', refused);
    await expect(store.dispatchAction(refused, at(minutes(5)), T0, undefined, [refusedEvent])).resolves.toMatchObject({ ok: false });
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => p.event)).toEqual([event]);
  });

  it('commits transition events built from the changed action, in order, and none for a refused transition', async () => {
    const action = makeAction({ status: 'running' });
    await store.dispatchAction(action, T0, T0);
    const done = await store.transitionAction(action.id, ['running'], { status: 'succeeded', finishedAt: at(1) }, undefined, (next) => [
      eventOf('action.succeeded', next),
    ]);
    expect(done?.status).toBe('succeeded');
    // Refused: the action is no longer running, so no event may appear.
    const again = await store.transitionAction(action.id, ['running'], { status: 'failed' }, undefined, (next) => [eventOf('action.failed', next)]);
    expect(again).toBeNull();
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => [p.event.type, p.event.action?.status])).toEqual([['action.succeeded', 'succeeded']]);
    // The carrier's own fields never leak into the action as the API returns it.
    expect(Object.keys((await store.getAction(action.id))!).sort()).toEqual(Object.keys(done!).sort());
  });

  it('forgets relayed events but keeps one committed after the read', async () => {
    const action = makePending({ rule: 'r2' });
    await store.dispatchAction(action, T0, T0, undefined, [eventOf('action.pending_approval', action)]);
    const read = await store.committedEvents.pending(10);
    await store.transitionAction(action.id, ['pending_approval'], { status: 'rejected' }, undefined, (next) => [eventOf('action.rejected', next)]);
    await store.committedEvents.markRelayed(read);
    const left = await store.committedEvents.pending(10);
    expect(left.map((p) => p.event.type)).toEqual(['action.rejected']);
    await store.committedEvents.markRelayed(left);
    await expect(store.committedEvents.pending(10)).resolves.toEqual([]);
    expect((await store.getAction(action.id))?.status).toBe('rejected');
  });

  it('commits an alert event with the alert, and relaying does not undo an acknowledgement', async () => {
    const alert = makeAlert();
    const event = buildEvent('alert.created', T0, { rule: alert.rule, data: { alertId: alert.id } });
    await store.insertAlert(alert, [event]);
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => p.event.id)).toEqual([event.id]);
    await Promise.all([store.acknowledgeAlert(alert.id, 'ops', at(1)), store.committedEvents.markRelayed(pending)]);
    expect((await store.getAlert(alert.id))?.acknowledgedBy).toBe('ops');
    await expect(store.committedEvents.pending(10)).resolves.toEqual([]);
  });

  it('commits failover and throttle events with their revision, and none for a stale write', async () => {
    const failover = buildEvent('failover.changed', T0, { data: { to: 'secondary' } });
    const throttle = buildEvent('throttle.changed', at(1), { data: { change: 'applied' } });
    await expect(store.saveFailoverState(makeFailover(), 0, [failover])).resolves.toBe(true);
    await expect(store.saveThrottleState(makeThrottle(), 0, [throttle])).resolves.toBe(true);
    const stale = buildEvent('throttle.changed', at(2), { data: { change: 'stale' } });
    await expect(store.saveThrottleState(makeThrottle(), 0, [stale])).resolves.toBe(false);
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => p.event.id)).toEqual([failover.id, throttle.id]);
    await store.committedEvents.markRelayed(pending);
    await expect(store.committedEvents.pending(10)).resolves.toEqual([]);
    expect((await store.getThrottleState())?.revision).toBe(1);
  });

  it('commits pause events with the switch, and none for a stale write', async () => {
    const state = { paused: true, reason: 'incident', by: 'ops', since: T0.toISOString(), until: null };
    const paused = buildEvent('automation.paused', T0, { data: { ...state } });
    await expect(store.savePauseState(state, 0, [paused])).resolves.toBe(true);
    const stale = buildEvent('automation.paused', at(1), { data: { reason: 'stale' } });
    await expect(store.savePauseState(state, 0, [stale])).resolves.toBe(false);
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => p.event.id)).toEqual([paused.id]);
    expect((await store.getPauseState())?.value.reason).toBe('incident');
  });

  it('lets a second connection see and relay what the first committed (another instance after a crash)', async () => {
    const action = makePending({ rule: 'r3' });
    await store.dispatchAction(action, T0, T0, undefined, [eventOf('action.pending_approval', action)]);
    const other = await location.open();
    const seen = await other.committedEvents.pending(10);
    expect(seen.map((p) => p.event.action?.id)).toEqual([action.id]);
    await other.committedEvents.markRelayed(seen);
    await expect(store.committedEvents.pending(10)).resolves.toEqual([]);
  });
});
