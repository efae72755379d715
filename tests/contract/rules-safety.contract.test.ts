import type { RulesVersionRecord } from '../../src/domain/rules-version';
import type { Store } from '../../src/store/store';
import { T0, at, makeAction, makeSnapshot, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * What replay, shadow mode and the rules history need of every Store adapter: snapshots scanned in
 * the order they were received, shadowed actions, and numbered rules versions that two instances
 * cannot both number alike.
 */
jest.setTimeout(60_000);

function version(seq: number, overrides: Partial<RulesVersionRecord> = {}): RulesVersionRecord {
  return {
    seq,
    version: `${String(seq).padStart(4, '0')}aaaaaaaaaaaaaaaa`,
    at: at(minutes(seq)),
    by: 'file',
    cause: 'file',
    rollbackOf: null,
    previousVersion: null,
    rules: 2,
    diff: { added: ['a'], removed: [], changed: [{ rule: 'b', fields: [{ field: '/cooldownMinutes', before: 10, after: 20 }, { field: '/mode', after: 'shadow' }] }] },
    document: `{ "rules": [], "n": ${seq} }\n`,
    ...overrides,
  };
}

describe.each(storeTargets())('Store contract (replay, shadow, rules history): $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  describe('scanSnapshots', () => {
    it('returns snapshots oldest first by received time then id, filtered and paged', async () => {
      const ids = ['b', 'a', 'c', 'd', 'e'].map((x) => `snap-${x}`);
      const received = [minutes(1), minutes(1), minutes(0), minutes(2), minutes(3)];
      const sources = ['x', 'x', 'y', 'x', 'y'];
      for (const [i, id] of ids.entries()) {
        await store.insertSnapshot(makeSnapshot({ id, receivedAt: at(received[i]!), source: sources[i]!, metrics: { n: i, nested: { v: [1, 'two'] } } }));
      }
      const all = await store.scanSnapshots({ limit: 10 });
      expect(all.map((s) => s.id)).toEqual(['snap-c', 'snap-a', 'snap-b', 'snap-d', 'snap-e']);
      expect(all[1]).toEqual({ id: 'snap-a', source: 'x', timestamp: T0.toISOString(), receivedAt: at(minutes(1)), metrics: { n: 1, nested: { v: [1, 'two'] } } });

      const window = await store.scanSnapshots({ from: at(minutes(1)), to: at(minutes(2)), limit: 10 });
      expect(window.map((s) => s.id)).toEqual(['snap-a', 'snap-b', 'snap-d']);
      const onlyY = await store.scanSnapshots({ sources: ['y'], limit: 10 });
      expect(onlyY.map((s) => s.id)).toEqual(['snap-c', 'snap-e']);

      const first = await store.scanSnapshots({ limit: 2 });
      const last = first[first.length - 1]!;
      const next = await store.scanSnapshots({ limit: 2, after: { at: last.receivedAt.getTime(), id: last.id } });
      expect([...first, ...next].map((s) => s.id)).toEqual(['snap-c', 'snap-a', 'snap-b', 'snap-d']);
    });
  });

  describe('shadowed actions', () => {
    it('dispatches a shadowed action under the rule cooldown, never as an open approval', async () => {
      const shadowed = makeAction({ status: 'shadowed', rule: 'trial' });
      const outcome = await store.dispatchAction(shadowed, at(minutes(10)), T0);
      expect(outcome.ok).toBe(true);
      const again = await store.dispatchAction(makeAction({ status: 'shadowed', rule: 'trial' }), at(minutes(20)), at(minutes(1)));
      expect(again).toEqual({ ok: false, reason: 'cooldown', until: at(minutes(10)) });
      const states = await store.getRuleStates(['trial']);
      expect(states.get('trial')).toEqual({ cooldownUntil: at(minutes(10)), openApprovalId: null });
      const listed = await store.listActions({ limit: 10, status: ['shadowed'] });
      expect(listed.items.map((a) => a.id)).toEqual([shadowed.id]);
    });
  });

  describe('rules history', () => {
    it('numbers versions: a taken seq is refused, and the newest is the highest', async () => {
      expect(await store.rulesHistory.latestRulesVersion()).toBeNull();
      expect(await store.rulesHistory.insertRulesVersion(version(1))).toBe(true);
      expect(await store.rulesHistory.insertRulesVersion(version(1, { by: 'someone-else' }))).toBe(false);
      expect(await store.rulesHistory.insertRulesVersion(version(2, { by: 'ops', cause: 'api', previousVersion: version(1).version }))).toBe(true);
      expect(await store.rulesHistory.latestRulesVersion()).toEqual(version(2, { by: 'ops', cause: 'api', previousVersion: version(1).version }));
    });

    it('lets exactly one of two instances take the same number', async () => {
      const other = await location.open();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).rulesHistory.insertRulesVersion(version(1, { by: `writer-${i}` }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('finds the newest record of a version, with its document', async () => {
      const v = version(1).version;
      await store.rulesHistory.insertRulesVersion(version(1));
      await store.rulesHistory.insertRulesVersion(version(2));
      await store.rulesHistory.insertRulesVersion(version(3, { version: v, cause: 'rollback', rollbackOf: v, document: 'again' }));
      const found = await store.rulesHistory.getRulesVersion(v);
      expect(found).toMatchObject({ seq: 3, cause: 'rollback', document: 'again' });
      expect(await store.rulesHistory.getRulesVersion('ffffffffffffffffffff')).toBeNull();
    });

    it('lists newest first without documents, page by page, and takes a record back', async () => {
      for (let seq = 1; seq <= 5; seq++) await store.rulesHistory.insertRulesVersion(version(seq));
      const first = await store.rulesHistory.listRulesVersions({ limit: 2 });
      expect(first.items.map((r) => r.seq)).toEqual([5, 4]);
      expect(first.items[0]).not.toHaveProperty('document');
      expect(first.items[0]).toEqual((({ document: _d, ...rest }) => rest)(version(5)));
      const second = await store.rulesHistory.listRulesVersions({ limit: 2, cursor: first.nextCursor! });
      const third = await store.rulesHistory.listRulesVersions({ limit: 2, cursor: second.nextCursor! });
      expect([...second.items, ...third.items].map((r) => r.seq)).toEqual([3, 2, 1]);
      expect(third.nextCursor).toBeNull();

      await store.rulesHistory.deleteRulesVersion(5, 'not-its-version');
      expect((await store.rulesHistory.latestRulesVersion())?.seq).toBe(5);
      await store.rulesHistory.deleteRulesVersion(5, version(5).version);
      expect((await store.rulesHistory.latestRulesVersion())?.seq).toBe(4);
    });
  });
});
