export interface WaitOptions {
  /** Give up after this long (real time); the error names `what`. */
  timeoutMs?: number;
  what?: string;
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `condition` until it returns a truthy value (which is returned) or `timeoutMs` passes. A
 * condition that throws counts as "not yet"; its last error is part of the timeout message, so a
 * failing wait says what it was last told.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, what = 'condition', intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Counts completed calls of one async method of `target` (a real object, the method still runs).
 * Tests use it to wait until a poller has looked again after a change, which proves that something
 * did not happen without sleeping and hoping.
 */
export function countCalls<O extends object, K extends keyof O>(target: O, method: K): { completedSince(mark: number): number; mark(): number } {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let started = 0;
  const completedStarts: number[] = [];
  (target as Record<K, unknown>)[method] = async function counted(this: unknown, ...args: unknown[]) {
    const n = (started += 1);
    try {
      return await original.apply(this, args);
    } finally {
      completedStarts.push(n);
    }
  };
  return {
    /** The number of calls started so far; calls started after it count as "since". */
    mark: () => started,
    completedSince: (mark) => completedStarts.filter((n) => n > mark).length,
  };
}
