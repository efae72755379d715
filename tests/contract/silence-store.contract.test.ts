import { buildEvent } from '../../src/domain/events';
import { timeOrderedId } from '../../src/domain/time-ordered-id';
import type { Silence } from '../../src/silences/silence';
import type { Store } from '../../src/store/store';
import { T0, at, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/** Silences, run unchanged against every adapter; two stores on one location stand for two instances. */
jest.setTimeout(60_000);

function silence(overrides: Partial<Silence> = {}): Silence {
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: timeOrderedId(createdAt.getTime()),
    matchers: { rule: 'high-latency', target: { regex: 'rout.*' } },
    startsAt: createdAt,
    endsAt: at(minutes(60)),
    comment: 'planned work',
    schedule: null,
    createdAt,
    createdBy: 'ops-key',
    expiredAt: null,
    expiredBy: null,
    ...overrides,
  };
}

describe.each(storeTargets())('SilenceStore contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  it('keeps a silence as given, schedule and regex matchers included, and commits its event with it', async () => {
    const s = silence({ schedule: { timeZone: 'Europe/Berlin', weekdays: ['mon', 'fri'], times: { start: '22:00', end: '06:00' } } });
    const event = buildEvent('silence.created', T0, { data: { id: s.id } });
    await store.silences.insertSilence(s, [event]);
    expect(await store.silences.getSilence(s.id)).toEqual(s);
    expect(await store.silences.getSilence('nope')).toBeNull();
    const pending = await store.committedEvents.pending(10);
    expect(pending.map((p) => p.event)).toEqual([event]);
    await store.committedEvents.markRelayed(pending);
    expect(await store.committedEvents.pending(10)).toEqual([]);
    expect(await store.silences.getSilence(s.id)).toEqual(s);
  });

  it('expires once: who and when are kept, the second expirer (on another instance) is told it is over', async () => {
    const s = silence();
    await store.silences.insertSilence(s);
    const other = await location.open();
    const results = await Promise.all([
      store.silences.expireSilence(s.id, 'alice', at(minutes(5)), (e) => [buildEvent('silence.expired', at(minutes(5)), { data: { by: e.expiredBy } })]),
      other.silences.expireSilence(s.id, 'bob', at(minutes(5)), (e) => [buildEvent('silence.expired', at(minutes(5)), { data: { by: e.expiredBy } })]),
    ]);
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    const winner = (won[0] as { silence: Silence }).silence.expiredBy;
    expect(await store.silences.getSilence(s.id)).toEqual({ ...s, expiredAt: at(minutes(5)), expiredBy: winner });
    const events = await store.committedEvents.pending(10);
    expect(events.map((e) => e.event.data)).toEqual([{ by: winner }]);
    const again = await store.silences.expireSilence(s.id, 'carol', at(minutes(6)));
    expect(again).toEqual({ ok: false, reason: 'expired', silence: { ...s, expiredAt: at(minutes(5)), expiredBy: winner } });
    expect(await store.silences.expireSilence('missing', 'carol', at(minutes(6)))).toEqual({ ok: false, reason: 'not_found' });
  });

  it('refuses to expire a silence that has ended, and changes nothing', async () => {
    const s = silence();
    await store.silences.insertSilence(s);
    expect(await store.silences.expireSilence(s.id, 'alice', at(minutes(60)))).toEqual({ ok: false, reason: 'expired', silence: s });
    expect(await store.silences.getSilence(s.id)).toEqual(s);
  });

  it('answers which silences were in their period during an interval, as known then (history kept)', async () => {
    const early = silence({ id: 'a', createdAt: T0, startsAt: T0, endsAt: at(minutes(30)) });
    const later = silence({ id: 'b', createdAt: at(minutes(10)), startsAt: at(minutes(20)), endsAt: at(minutes(90)) });
    const cut = silence({ id: 'c', createdAt: T0, startsAt: T0, endsAt: at(minutes(120)) });
    for (const s of [early, later, cut]) await store.silences.insertSilence(s);
    await store.silences.expireSilence('c', 'alice', at(minutes(40)));
    const ids = async (from: number, to: number) => (await store.silences.silencesOverlapping(at(minutes(from)), at(minutes(to)))).map((s) => s.id).sort();
    expect(await ids(5, 5)).toEqual(['a', 'c']); // b not created yet
    expect(await ids(25, 25)).toEqual(['a', 'b', 'c']);
    expect(await ids(30, 30)).toEqual(['b', 'c']); // a ended at 30
    expect(await ids(45, 45)).toEqual(['b']); // c expired at 40
    expect(await ids(0, 100)).toEqual(['a', 'b', 'c']);
    expect(await ids(95, 200)).toEqual([]);
    const [c] = await store.silences.silencesOverlapping(at(minutes(35)), at(minutes(35))).then((l) => l.filter((s) => s.id === 'c'));
    expect(c).toEqual({ ...cut, expiredAt: at(minutes(40)), expiredBy: 'alice' });
  });

  it('lists newest first, page by page, and filters by state at the given instant', async () => {
    const made: Silence[] = [];
    for (let i = 0; i < 5; i += 1) {
      const s = silence({ createdAt: at(minutes(i)), startsAt: at(minutes(i === 4 ? 30 : i)), endsAt: at(minutes(i === 0 ? 5 : 60)) });
      made.push(s);
      await store.silences.insertSilence(s);
    }
    await store.silences.expireSilence(made[1]!.id, 'alice', at(minutes(6)));
    const now = at(minutes(10));
    const first = await store.silences.listSilences({ limit: 2, now });
    expect(first.items.map((s) => s.id)).toEqual([made[4]!.id, made[3]!.id]);
    const second = await store.silences.listSilences({ limit: 2, now, cursor: first.nextCursor! });
    expect(second.items.map((s) => s.id)).toEqual([made[2]!.id, made[1]!.id]);
    const third = await store.silences.listSilences({ limit: 2, now, cursor: second.nextCursor! });
    expect(third.items.map((s) => s.id)).toEqual([made[0]!.id]);
    expect(third.nextCursor).toBeNull();
    const state = async (s: 'active' | 'pending' | 'expired') => (await store.silences.listSilences({ limit: 10, now, state: s })).items.map((x) => x.id);
    expect(await state('expired')).toEqual([made[1]!.id, made[0]!.id]);
    expect(await state('active')).toEqual([made[3]!.id, made[2]!.id]);
    expect(await state('pending')).toEqual([made[4]!.id]);
  });
});
