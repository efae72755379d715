import type { ThrottleState } from '../domain/state';

/**
 * The throttle's rules, as pure functions of its state: what applying, expiring and restoring do,
 * and how a change reads. ThrottleService stores and announces the results; the throttle strategy
 * reports them.
 */

export type ThrottleChange = 'activated' | 'tightened' | 'extended' | 'unchanged' | 'restored';

/** A state to write and the kind of change it is; `next: null` when nothing changes. */
export interface ThrottleStep {
  next: ThrottleState | null;
  change: ThrottleChange;
}

export interface ThrottleRequest {
  /** Fraction of the base limit asked for, in (0, 1]. */
  factor: number;
  minutes: number;
  /** No throttle goes below this fraction (config.throttle.minFactor). */
  minFactor: number;
  reason: string;
}

/** Avoids float noise such as 100 * 0.3 = 30.000000000000004 in what apps read. */
export function limitFor(baseLimit: number, factor: number): number {
  return Math.round(baseLimit * factor * 1000) / 1000;
}

export function inactiveThrottle(baseLimit: number): ThrottleState {
  return { active: false, factor: 1, limit: baseLimit, baseLimit, until: null, previous: null, reason: null };
}

export function isExpired(state: ThrottleState, now: Date): boolean {
  return state.active && state.until !== null && Date.parse(state.until) <= now.getTime();
}

/** Back to the rate from before the first trigger (`previous`). */
export function restoredFrom(state: ThrottleState): ThrottleState {
  return {
    ...inactiveThrottle(state.baseLimit),
    factor: state.previous?.factor ?? 1,
    limit: state.previous?.limit ?? state.baseLimit,
  };
}

/**
 * Re-triggering while active never compounds: the new factor is max(minFactor, min(current,
 * requested)) — the strictest one asked for, never below the floor — and the deadline moves to the
 * later of the two. An expired throttle that no sweep has restored yet counts as inactive.
 */
export function applied(stored: ThrottleState, request: ThrottleRequest, now: Date): ThrottleStep {
  const current = isExpired(stored, now) ? restoredFrom(stored) : stored;
  const deadline = new Date(now.getTime() + request.minutes * 60_000);
  if (!current.active) {
    const factor = Math.max(request.minFactor, request.factor);
    return {
      next: {
        active: true,
        factor,
        limit: limitFor(current.baseLimit, factor),
        baseLimit: current.baseLimit,
        until: deadline.toISOString(),
        previous: { factor: current.factor, limit: current.limit },
        reason: request.reason,
      },
      change: 'activated',
    };
  }
  const factor = Math.max(request.minFactor, Math.min(current.factor, request.factor));
  const currentUntil = current.until ? Date.parse(current.until) : 0;
  const until = new Date(Math.max(currentUntil, deadline.getTime())).toISOString();
  const tightened = factor < current.factor;
  const extended = until !== current.until;
  if (!tightened && !extended) return { next: null, change: 'unchanged' };
  return {
    next: { ...current, factor, limit: limitFor(current.baseLimit, factor), until, reason: request.reason },
    change: tightened ? 'tightened' : 'extended',
  };
}

/** Lifting by hand (DELETE): restores an active throttle, leaves an inactive one be. */
export function lifted(stored: ThrottleState): ThrottleStep {
  return stored.active ? { next: restoredFrom(stored), change: 'restored' } : { next: null, change: 'unchanged' };
}

/** The expiry sweep: restores a throttle whose deadline has passed. */
export function expired(stored: ThrottleState, now: Date): ThrottleStep {
  return isExpired(stored, now) ? { next: restoredFrom(stored), change: 'restored' } : { next: null, change: 'unchanged' };
}

/**
 * Back to the rate in force before an action (its revert): lifted when there was no throttle,
 * otherwise that factor again, keeping the deadline and `previous`. Nothing to do once it has ended.
 */
export function revertedTo(stored: ThrottleState, before: { active: boolean; factor: number }, reason: string): ThrottleStep {
  if (!stored.active) return { next: null, change: 'unchanged' };
  if (!before.active) return { next: restoredFrom(stored), change: 'restored' };
  if (stored.factor === before.factor) return { next: null, change: 'unchanged' };
  return { next: { ...stored, factor: before.factor, limit: limitFor(stored.baseLimit, before.factor), reason }, change: 'restored' };
}

/** Whether the state apps read (`seen`) holds at least the throttle that was applied (`to`). */
export function holdsThrottle(seen: ThrottleState, to: ThrottleState): boolean {
  return seen.active && seen.factor <= to.factor && seen.until !== null && seen.until >= (to.until ?? '');
}

/** One line on what applying did, for the action's summary. */
export function describeApplied(change: ThrottleChange, to: ThrottleState): string {
  const pct = `${Math.round(to.factor * 1000) / 10}%`;
  if (change === 'activated') return `request rate throttled to ${pct} (limit ${to.limit} of ${to.baseLimit}) until ${to.until}`;
  if (change === 'tightened') return `throttle tightened to ${pct} (limit ${to.limit} of ${to.baseLimit}) until ${to.until}`;
  if (change === 'extended') return `throttle at ${pct} extended until ${to.until}`;
  return `throttle already at ${pct} until ${to.until}; nothing changed`;
}
