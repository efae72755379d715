import type { ActionRecord } from '../domain/action';
import type { ThrottleState } from '../domain/state';
import { ConflictError, ValidationError, type ProblemDetail } from '../errors';
import { buildEvent } from '../domain/events';
import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Notifier } from '../domain/events';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';

export interface ThrottleServiceDeps {
  store: Store;
  config: Pick<AppConfig, 'throttle'>;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}

/** Matches the rules schema's bound on `throttle.durationMinutes` (one week). */
export const MAX_THROTTLE_MINUTES = 10_080;

const MAX_CAS_ATTEMPTS = 10;

/** A random real-time pause after a lost compare-and-set, so concurrent writers do not retry in lockstep. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type ThrottleChange = 'activated' | 'tightened' | 'extended' | 'unchanged' | 'restored';

export interface ApplyThrottleInput {
  /** Fraction of the base limit to allow, in (0, 1]; config.throttle.defaultFactor otherwise. */
  factor?: number;
  durationMinutes?: number;
  reason: string;
  /** The action that asked for it, named in the notification. */
  action?: ActionRecord | null;
  /** The rule's notification channels; the log channel gets every event anyway. */
  channels?: string[];
}

export interface ThrottleOutcome {
  change: ThrottleChange;
  changed: boolean;
  from: ThrottleState;
  to: ThrottleState;
  /** The factor asked for, before the floor (config.throttle.minFactor) was applied. */
  requestedFactor?: number;
}

export interface RestoreInput {
  by: string;
  reason?: string;
}

/** Avoids float noise such as 100 * 0.3 = 30.000000000000004 in what apps read. */
function limitFor(baseLimit: number, factor: number): number {
  return Math.round(baseLimit * factor * 1000) / 1000;
}

function isExpired(state: ThrottleState, now: Date): boolean {
  return state.active && state.until !== null && Date.parse(state.until) <= now.getTime();
}

/**
 * The request-rate throttle the apps' rate limiters read. Re-triggering while active never
 * compounds: the new factor is max(minFactor, min(current, requested)) — the strictest one asked
 * for, never below the floor — and the deadline moves to the later of the two. `previous` is the
 * state from before the first trigger and is what expiry or DELETE restores.
 */
export class ThrottleService {
  constructor(private readonly deps: ThrottleServiceDeps) {}

  /** The state as stored; an inactive default when nothing was ever throttled. */
  private async read(): Promise<{ state: ThrottleState; revision: number }> {
    const stored = await this.deps.store.getThrottleState();
    if (!stored) return { state: this.inactiveState(), revision: 0 };
    // Unthrottled, the limit follows the configured base limit, even one changed since the last write.
    const state = stored.value.active ? stored.value : { ...stored.value, ...this.inactiveState() };
    return { state, revision: stored.revision };
  }

  private inactiveState(): ThrottleState {
    const baseLimit = this.deps.config.throttle.baseLimit;
    return { active: false, factor: 1, limit: baseLimit, baseLimit, until: null, previous: null, reason: null };
  }

  private restoredFrom(state: ThrottleState): ThrottleState {
    const base = this.inactiveState();
    return {
      ...base,
      baseLimit: state.baseLimit,
      factor: state.previous?.factor ?? 1,
      limit: state.previous?.limit ?? state.baseLimit,
    };
  }

  /**
   * What the rate limiters should use now. A throttle past its deadline is restored here rather
   * than reported until the next sweep, so a reader never sees an expired throttle as active.
   */
  async getState(): Promise<ThrottleState> {
    const { state } = await this.read();
    if (isExpired(state, this.deps.clock.now())) {
      await this.restoreExpired();
      return (await this.read()).state;
    }
    return state;
  }

  async apply(input: ApplyThrottleInput): Promise<ThrottleOutcome> {
    const cfg = this.deps.config.throttle;
    const requested = input.factor ?? cfg.defaultFactor;
    const minutes = input.durationMinutes ?? cfg.defaultDurationMinutes;
    const problems: ProblemDetail[] = [];
    if (!Number.isFinite(requested) || requested <= 0 || requested > 1) {
      problems.push({ pointer: '/factor', message: 'must be a number above 0 and at most 1' });
    }
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_THROTTLE_MINUTES) {
      problems.push({ pointer: '/durationMinutes', message: `must be above 0 and at most ${MAX_THROTTLE_MINUTES}` });
    }
    if (problems.length > 0) throw new ValidationError('throttle parameters are invalid', problems);

    const outcome = await this.update((stored, now) => {
      // An expired throttle that no sweep has restored yet counts as inactive: start afresh.
      const current = isExpired(stored, now) ? this.restoredFrom(stored) : stored;
      const deadline = new Date(now.getTime() + minutes * 60_000);
      if (!current.active) {
        const factor = Math.max(cfg.minFactor, requested);
        const next: ThrottleState = {
          active: true,
          factor,
          limit: limitFor(current.baseLimit, factor),
          baseLimit: current.baseLimit,
          until: deadline.toISOString(),
          previous: { factor: current.factor, limit: current.limit },
          reason: input.reason,
        };
        return { next, change: 'activated' as ThrottleChange };
      }
      const factor = Math.max(cfg.minFactor, Math.min(current.factor, requested));
      const currentUntil = current.until ? Date.parse(current.until) : 0;
      const until = new Date(Math.max(currentUntil, deadline.getTime())).toISOString();
      const tightened = factor < current.factor;
      const extended = until !== current.until;
      if (!tightened && !extended) return { next: null, change: 'unchanged' as ThrottleChange };
      const next: ThrottleState = {
        ...current,
        factor,
        limit: limitFor(current.baseLimit, factor),
        until,
        reason: input.reason,
      };
      return { next, change: (tightened ? 'tightened' : 'extended') as ThrottleChange };
    });
    if (outcome.changed) {
      this.emit(outcome, input.reason, input.action ?? null, input.channels);
    }
    return { ...outcome, requestedFactor: requested };
  }

  /** Lifts the throttle now (DELETE). Restoring an inactive throttle changes nothing. */
  async restore(input: RestoreInput): Promise<ThrottleOutcome> {
    const reason = input.reason ?? `restored by ${input.by}`;
    const outcome = await this.update((stored) =>
      stored.active ? { next: this.restoredFrom(stored), change: 'restored' as ThrottleChange } : { next: null, change: 'unchanged' as ThrottleChange },
    );
    if (outcome.changed) this.emit(outcome, reason, null, undefined, input.by);
    return outcome;
  }

  /** Restores the base rate when the throttle's deadline has passed; true when it restored. */
  async restoreExpired(): Promise<boolean> {
    const outcome = await this.update((stored, now) =>
      isExpired(stored, now)
        ? { next: this.restoredFrom(stored), change: 'restored' as ThrottleChange }
        : { next: null, change: 'unchanged' as ThrottleChange },
    );
    if (outcome.changed) {
      this.emit(outcome, `throttle expired at ${outcome.from.until ?? '?'}`, null, undefined, 'expiry');
    }
    return outcome.changed;
  }

  /** Read, recompute, compare-and-set; a stale revision is re-read and recomputed. */
  private async update(
    change: (state: ThrottleState, now: Date) => { next: ThrottleState | null; change: ThrottleChange },
  ): Promise<ThrottleOutcome> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const { state, revision } = await this.read();
      const { next, change: kind } = change(state, this.deps.clock.now());
      if (!next) return { change: 'unchanged', changed: false, from: state, to: state };
      if (await this.deps.store.saveThrottleState(next, revision)) {
        return { change: kind, changed: true, from: state, to: next };
      }
      this.deps.logger.debug('throttle state changed concurrently; re-reading', { attempt });
      await backoff(attempt);
    }
    throw new ConflictError(`throttle state kept changing concurrently; gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  private emit(
    outcome: ThrottleOutcome,
    reason: string,
    action: ActionRecord | null,
    channels: string[] | undefined,
    by?: string,
  ): void {
    const event = buildEvent('throttle.changed', this.deps.clock.now(), {
      action,
      channels,
      data: {
        change: outcome.change,
        reason,
        ...(by ? { by } : {}),
        from: { active: outcome.from.active, factor: outcome.from.factor, limit: outcome.from.limit, until: outcome.from.until },
        to: { active: outcome.to.active, factor: outcome.to.factor, limit: outcome.to.limit, until: outcome.to.until },
        state: outcome.to,
      },
    });
    this.deps.notifier.notify(event);
    this.deps.logger.info(`throttle ${outcome.change}`, {
      factor: outcome.to.factor,
      limit: outcome.to.limit,
      until: outcome.to.until,
      reason,
    });
  }
}
