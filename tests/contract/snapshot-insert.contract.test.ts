import type { Store } from '../../src/store/store';
import { makeSnapshot } from './fixtures';
import { openStorePerTest, storeTargets } from './store-targets';

/**
 * Snapshot inserts sent together share a write (SQLite: one transaction; MongoDB: one command),
 * and each caller still learns about its own snapshot: stored, or refused alone.
 */
jest.setTimeout(60_000);

describe.each(storeTargets())('Snapshot inserts sent together: $name', (target) => {
  let store: Store;
  openStorePerTest(target, (_location, first) => {
    store = first;
  });

  it('stores every one, and a duplicate id fails only its own caller', async () => {
    const snapshots = Array.from({ length: 30 }, (_, i) => makeSnapshot({ metrics: { n: i } }));
    await Promise.all(snapshots.slice(0, 10).map((s) => store.insertSnapshot(s)));
    const outcomes = await Promise.allSettled([...snapshots.slice(10), snapshots[3]!].map((s) => store.insertSnapshot(s)));
    expect(outcomes.slice(0, 20).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[20]!.status).toBe('rejected');
    expect(await store.countSnapshots()).toBe(30);
    for (const s of [snapshots[0]!, snapshots[29]!]) expect((await store.getSnapshot(s.id))?.metrics).toEqual(s.metrics);
  });
});
