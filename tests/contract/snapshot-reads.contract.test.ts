import type { Store } from '../../src/store/store';
import type { StoredSnapshot } from '../../src/domain/snapshot';
import { T0, at, makeSnapshot, minutes } from './fixtures';
import { openStorePerTest, type StoreLocation, storeTargets } from './store-targets';

/**
 * What the snapshots API and the console's charts read from every Store adapter (SQLite always,
 * MongoDB/FerretDB with MONGODB_URI): pages of stored snapshots newest first, each source's newest
 * snapshot, and one fact's series downsampled to each bucket's minimum and maximum.
 */
jest.setTimeout(60_000);

describe.each(storeTargets())('Snapshot reads contract: $name', (target) => {
  let location: StoreLocation;
  let store: Store;
  openStorePerTest(target, (opened, first) => {
    location = opened;
    store = first;
  });

  const snap = (i: number, source: string, metrics: Record<string, unknown>, receivedAt = at(minutes(i))): StoredSnapshot =>
    makeSnapshot({ id: `snap-${String(i).padStart(4, '0')}-${source}`, source, receivedAt, timestamp: receivedAt.toISOString(), metrics });

  describe('listSnapshots', () => {
    it('pages newest first with source and time filters, every snapshot once, ties on the time included', async () => {
      const all: StoredSnapshot[] = [];
      for (let i = 0; i < 12; i += 1) all.push(snap(i, i % 3 === 0 ? 'batch' : 'agentx', { n: i }, at(minutes(Math.floor(i / 2)))));
      await store.insertSnapshots(all);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listSnapshots({ limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = [...all].sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1)).map((s) => s.id);
      expect(seen).toEqual(expected);

      const agentx = await store.listSnapshots({ source: 'agentx', from: at(minutes(1)), to: at(minutes(4)), limit: 50 });
      expect(agentx.nextCursor).toBeNull();
      expect(agentx.items.map((s) => s.id)).toEqual(
        expected.filter((id) => {
          const s = all.find((x) => x.id === id)!;
          return s.source === 'agentx' && s.receivedAt >= at(minutes(1)) && s.receivedAt <= at(minutes(4));
        }),
      );
      expect(agentx.items[0]).toEqual(all.find((s) => s.id === agentx.items[0]!.id));
    });
  });

  describe('listSnapshotSources', () => {
    it('names each source with its count and its newest snapshot', async () => {
      await store.insertSnapshots([snap(1, 'b', { x: 1 }), snap(2, 'a', { x: 2 }), snap(3, 'b', { x: 3 }), snap(4, 'b', { x: 4 })]);
      const sources = await store.listSnapshotSources(100);
      expect(sources.map((s) => [s.source, s.count, s.latest.metrics])).toEqual([
        ['a', 1, { x: 2 }],
        ['b', 3, { x: 4 }],
      ]);
      expect(await store.listSnapshotSources(1)).toHaveLength(1);
    });
  });

  describe('snapshotSeries', () => {
    it('reads one nested numeric fact of one source in [from, to], skipping what is missing or not a number', async () => {
      await store.insertSnapshots([
        snap(0, 'agentx', { ollama: { avgResponseTimeMs: 100 } }),
        snap(1, 'agentx', { ollama: { avgResponseTimeMs: 250.5 } }),
        snap(2, 'agentx', { ollama: { avgResponseTimeMs: 'slow' } }),
        snap(3, 'agentx', { ollama: { avgResponseTimeMs: true } }),
        snap(4, 'agentx', { ollama: {} }),
        snap(5, 'agentx', { ollama: [1, 2] }),
        snap(6, 'other', { ollama: { avgResponseTimeMs: 999 } }),
        snap(7, 'agentx', { ollama: { avgResponseTimeMs: -3 }, 'gpu.util': 5 }),
        snap(8, 'agentx', { ollama: { avgResponseTimeMs: 7 } }),
      ]);
      const series = await store.snapshotSeries({ source: 'agentx', path: ['ollama', 'avgResponseTimeMs'], from: at(minutes(1)), to: at(minutes(7)), stepMs: 1000 });
      expect(series).toEqual({ points: [[at(minutes(1)).getTime(), 250.5], [at(minutes(7)).getTime(), -3]], samples: 2 });
      const top = await store.snapshotSeries({ source: 'agentx', path: ['ollama'], from: T0, to: at(minutes(10)), stepMs: 1000 });
      expect(top).toEqual({ points: [], samples: 0 });
    });

    it('keeps each bucket\'s minimum and maximum at their own times, so a one-sample spike is never averaged away', async () => {
      const snapshots: StoredSnapshot[] = [];
      // 600 samples a second apart, a flat 10 with one spike to 500 and one dip to -2.
      for (let i = 0; i < 600; i += 1) {
        const value = i === 437 ? 500 : i === 122 ? -2 : 10;
        snapshots.push(snap(i, 'agentx', { errorRate: value }, at(i * 1000)));
      }
      await store.insertSnapshots(snapshots);
      const series = await store.snapshotSeries({ source: 'agentx', path: ['errorRate'], from: T0, to: at(599_000), stepMs: 60_000 });
      expect(series.samples).toBe(600);
      // Ten buckets: eight flat ones give one point, the spike's and the dip's give two; the newest sample ends it.
      expect(series.points).toHaveLength(13);
      expect(series.points[12]).toEqual([at(599_000).getTime(), 10]);
      expect(series.points).toContainEqual([at(437_000).getTime(), 500]);
      expect(series.points).toContainEqual([at(122_000).getTime(), -2]);
      const times = series.points.map(([t]) => t);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(Math.max(...series.points.map(([, v]) => v))).toBe(500);
    });
  });
});
