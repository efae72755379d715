/** Timing figures for one measured case. Latencies in milliseconds. */
export interface Figures {
  ops: number;
  opsPerSec: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Collects per-operation latencies and wall time across several measured rounds. */
export class Sampler {
  private latencies: number[] = [];
  private wallNs = 0n;

  record(latencyNs: bigint): void {
    this.latencies.push(Number(latencyNs) / 1e6);
  }

  addWall(ns: bigint): void {
    this.wallNs += ns;
  }

  figures(): Figures {
    const sorted = Float64Array.from(this.latencies).sort();
    const wallSec = Number(this.wallNs) / 1e9;
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      ops: sorted.length,
      opsPerSec: wallSec > 0 ? sorted.length / wallSec : 0,
      meanMs: sorted.length > 0 ? sum / sorted.length : 0,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
    };
  }
}

export type AsyncOp<T> = (input: T) => Promise<unknown>;

/**
 * Runs `op` over `inputs` (cycling) for `durationMs` with `concurrency` operations in flight, and
 * records each one's latency into `sampler` (or nowhere, for a warm-up). Concurrency 1 is the
 * sequential case: one operation awaited before the next starts.
 */
export async function runFor<T>(
  op: AsyncOp<T>,
  inputs: readonly T[],
  durationMs: number,
  concurrency: number,
  sampler?: Sampler,
): Promise<void> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(durationMs * 1e6));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (process.hrtime.bigint() < deadline) {
      const input = inputs[next++ % inputs.length]!;
      const t0 = process.hrtime.bigint();
      await op(input);
      sampler?.record(process.hrtime.bigint() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  sampler?.addWall(process.hrtime.bigint() - start);
}

/** A small seeded PRNG (mulberry32) so that generated rules and snapshots are the same every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
