import type { NotificationEvent } from '../domain/events';
import type { Versioned } from '../domain/state';
import type { StateKey, VersionedStateStore } from './versioned-state-store';

/** How many times a lost compare-and-set is re-read and recomputed before the caller is told. */
export const CAS_ATTEMPTS = 10;

/**
 * What one attempt makes of the stored document: write `write` (with `events`, committed in the same
 * write) and answer `result`, or keep what is stored and answer `keep`.
 */
export type CasStep<T, W, K> = { write: T; events?: NotificationEvent[]; result: W } | { keep: K };

/** A step that writes `value` (its `events` in the same write) and answers `result` once written. */
export function writeNext<T, W>(value: T, result: W, events?: NotificationEvent[]): { write: T; events?: NotificationEvent[]; result: W } {
  return events ? { write: value, events, result } : { write: value, result };
}

/** A step that writes nothing and answers `result`. */
export function keepStored<K>(result: K): { keep: K } {
  return { keep: result };
}

/** `exhausted`: every attempt lost to a concurrent writer; nothing was written by this call. */
export type CasResult<W, K> = { status: 'written'; result: W } | { status: 'kept'; result: K } | { status: 'exhausted' };

export interface CasOptions {
  /** Checked before each read and each write: an aborted caller writes nothing. */
  signal?: AbortSignal;
  /** Told of each lost attempt (for a debug line). */
  onLost?: (attempt: number) => void;
}

/**
 * A random real-time pause after a lost compare-and-set, so a crowd of writers does not retry in
 * lockstep and lose again together. Real time, not business time: it only spreads writers out.
 */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Read, decide, compare-and-set; a stale revision is re-read and decided afresh (so `step` must be
 * free of side effects: it may run several times). `step` sees the stored document (null when none)
 * and may throw to stop. The one retry loop of every versioned document in the service.
 */
export async function updateVersioned<T, W, K = never>(
  store: VersionedStateStore,
  key: StateKey<T>,
  step: (current: Versioned<T> | null) => CasStep<T, W, K>,
  options: CasOptions = {},
): Promise<CasResult<W, K>> {
  for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt += 1) {
    options.signal?.throwIfAborted();
    const current = await store.getVersioned(key);
    const next = step(current);
    if ('keep' in next) return { status: 'kept', result: next.keep };
    options.signal?.throwIfAborted();
    if (await store.setIfRevision(key, next.write, current?.revision ?? 0, next.events)) {
      return { status: 'written', result: next.result };
    }
    options.onLost?.(attempt);
    if (attempt < CAS_ATTEMPTS) await backoff(attempt);
  }
  return { status: 'exhausted' };
}
