import fc from 'fast-check';
import { SeriesBuckets, jsonNumber } from '../../src/store/series-buckets';

/**
 * Downsampling keeps what a chart must show: for any samples, in time order, each bucket's lowest
 * and highest value (at their own times), the newest sample last, never more than 2 points a bucket
 * plus one, and nothing that was not a sample.
 */
describe('SeriesBuckets', () => {
  const samples = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 400 })
    .map((list) => list.sort((a, b) => a[0] - b[0]));

  it('keeps every bucket\'s minimum and maximum and the newest sample, in time order, within 2n + 1 points', () => {
    fc.assert(
      fc.property(samples, fc.integer({ min: 1, max: 20_000 }), (list, step) => {
        const buckets = new SeriesBuckets(0, step);
        for (const [t, v] of list) buckets.add(t, v);
        const { points, samples: n } = buckets.finish();
        expect(n).toBe(list.length);
        const byBucket = new Map<number, Array<[number, number]>>();
        for (const s of list) {
          const b = Math.floor(s[0] / step);
          byBucket.set(b, [...(byBucket.get(b) ?? []), s]);
        }
        expect(points.length).toBeLessThanOrEqual(2 * byBucket.size + 1);
        for (const inBucket of byBucket.values()) {
          const values = inBucket.map((s) => s[1]);
          const kept = points.filter(([t]) => Math.floor(t / step) === Math.floor(inBucket[0]![0] / step)).map((p) => p[1]);
          expect(kept).toContain(Math.min(...values));
          expect(kept).toContain(Math.max(...values));
        }
        expect(points[points.length - 1]).toEqual(list[list.length - 1]);
        for (let i = 1; i < points.length; i += 1) expect(points[i]![0]).toBeGreaterThanOrEqual(points[i - 1]![0]);
        for (const p of points) expect(list).toContainEqual(p);
      }),
      { numRuns: 200 },
    );
  });

  it('reads only JSON numbers from SQLite\'s JSON text', () => {
    expect(['1.5', '-3e2', '0', 'true', '"7"', 'null', '{"a":1}', '[1]', '', null, 7].map(jsonNumber)).toEqual([1.5, -300, 0, null, null, null, null, null, null, null, null]);
  });
});
