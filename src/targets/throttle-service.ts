import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { ActionRecord } from '../domain/action';
import { buildEvent, type NotificationEvent, type Notifier } from '../domain/events';
import type { ThrottleState, Versioned } from '../domain/state';
import { ConflictError, ValidationError, type ProblemDetail } from '../errors';
import type { Logger } from '../logging/logger';
import { CAS_ATTEMPTS, keepStored, updateVersioned, writeNext } from '../store/compare-and-set';
import { THROTTLE_STATE, type VersionedStateStore } from '../store/versioned-state-store';
import {
  applied,
  expired,
  inactiveThrottle,
  isExpired,
  lifted,
  type RestoreRequest,
  restoresInSteps,
  revertedTo,
  type RuleVerdict,
  stepped,
  type ThrottleChange,
  type ThrottleStep,
} from './throttle-state';
import type { ThrottleRestorePlan } from '../domain/state';

export interface ThrottleServiceDeps {
  store: VersionedStateStore;
  config: Pick<AppConfig, 'throttle'>;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}

/** Matches the rules schema's bound on `throttle.durationMinutes` (one week). */
export const MAX_THROTTLE_MINUTES = 10_080;

export interface ApplyThrottleInput {
  /** Fraction of the base limit to allow, in (0, 1]; config.throttle.defaultFactor otherwise. */
  factor?: number;
  durationMinutes?: number;
  reason: string;
  /** The action that asked for it, named in the notification. */
  action?: ActionRecord | null;
  /** The rule's notification channels; the log channel gets every event anyway. */
  channels?: string[];
  /** Come back in steps at the deadline, each while the rule no longer matches (docs/strategies/throttle.md). */
  restore?: RestoreRequest;
}

/** Judges the rule of a throttle restoring in steps on the newest snapshot of its source. */
export type RestoreJudge = (plan: ThrottleRestorePlan) => Promise<RuleVerdict>;

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

/**
 * The request-rate throttle the apps' rate limiters read, stored with a compare-and-set and
 * announced on every change; what each change does is decided in ./throttle-state.ts. `previous`
 * is the state from before the first trigger and is what expiry or DELETE restores.
 */
export class ThrottleService {
  constructor(private readonly deps: ThrottleServiceDeps) {}

  private async read(): Promise<ThrottleState> {
    return this.view(await this.deps.store.getVersioned(THROTTLE_STATE));
  }

  /** The state as stored; an inactive default when nothing was ever throttled. */
  private view(stored: Versioned<ThrottleState> | null): ThrottleState {
    if (!stored) return inactiveThrottle(this.deps.config.throttle.baseLimit);
    // Unthrottled, the limit follows the configured base limit, even one changed since the last write.
    return stored.value.active ? stored.value : { ...stored.value, ...inactiveThrottle(this.deps.config.throttle.baseLimit) };
  }

  /**
   * What the rate limiters should use now. A throttle past its deadline is restored here rather
   * than reported until the next sweep, so a reader never sees an expired throttle as active.
   */
  async getState(): Promise<ThrottleState> {
    const state = await this.read();
    // A throttle restoring in steps waits for the sweep, which judges its rule before each step.
    if (isExpired(state, this.deps.clock.now()) && !restoresInSteps(state)) {
      await this.restoreExpired();
      return this.read();
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

    const request = { factor: requested, minutes, minFactor: cfg.minFactor, reason: input.reason, ...(input.restore ? { restore: input.restore } : {}) };
    const outcome = await this.update(
      (stored, now) => applied(stored, request, now),
      (o) => this.eventFor(o, input.reason, input.action ?? null, input.channels),
    );
    if (outcome.changed) this.announce(outcome, input.reason);
    return { ...outcome, requestedFactor: requested };
  }

  /** Lifts the throttle now (DELETE). Restoring an inactive throttle changes nothing. */
  async restore(input: RestoreInput): Promise<ThrottleOutcome> {
    const reason = input.reason ?? `restored by ${input.by}`;
    const outcome = await this.update(lifted, (o) => this.eventFor(o, reason, null, undefined, input.by));
    if (outcome.changed) this.announce(outcome, reason);
    return outcome;
  }

  /**
   * Puts the rate back to what it was before an action (its revert): lifted when there was no
   * throttle, otherwise back to that factor, keeping the current deadline and `previous`.
   */
  async revertTo(before: { active: boolean; factor: number }, input: RestoreInput): Promise<ThrottleOutcome> {
    const reason = input.reason ?? `reverted by ${input.by}`;
    const outcome = await this.update(
      (stored) => revertedTo(stored, before, reason),
      (o) => this.eventFor(o, reason, null, undefined, input.by),
    );
    if (outcome.changed) this.announce(outcome, reason);
    return outcome;
  }

  /**
   * Restores the base rate when the throttle's deadline has passed; true when it changed the rate.
   * A throttle restoring in steps takes its next step (or one back) instead, as `judge` decides from
   * its rule; without a judge it is left for the sweep that has one.
   */
  async restoreExpired(judge?: RestoreJudge): Promise<boolean> {
    const state = await this.read();
    if (restoresInSteps(state)) {
      if (!judge || !isExpired(state, this.deps.clock.now())) return false;
      const verdict = await judge(state.restore!);
      const describe = (o: ThrottleOutcome) =>
        o.change === 'held' ? `rule ${state.restore!.rule} still matches: held at factor ${o.to.factor}` : (o.to.restore?.history.at(-1)?.reason ?? o.change);
      const outcome = await this.update(
        (stored, now) => stepped(stored, now, verdict),
        (o) => this.eventFor(o, describe(o), null, undefined, 'restore-steps'),
      );
      if (outcome.changed) this.announce(outcome, describe(outcome));
      return outcome.changed && outcome.change !== 'held';
    }
    const outcome = await this.update(expired, (o) => this.eventFor(o, `throttle expired at ${o.from.until ?? '?'}`, null, undefined, 'expiry'));
    if (outcome.changed) this.announce(outcome, `throttle expired at ${outcome.from.until ?? '?'}`);
    return outcome.changed;
  }

  /** Read, recompute, compare-and-set; the change's event is committed with the state it announces. */
  private async update(
    change: (state: ThrottleState, now: Date) => ThrottleStep,
    eventFor: (outcome: ThrottleOutcome) => NotificationEvent,
  ): Promise<ThrottleOutcome & { event?: NotificationEvent }> {
    const updated = await updateVersioned(
      this.deps.store,
      THROTTLE_STATE,
      (stored) => {
        const state = this.view(stored);
        const { next, change: kind } = change(state, this.deps.clock.now());
        if (!next) return keepStored<ThrottleOutcome>({ change: 'unchanged', changed: false, from: state, to: state });
        const outcome: ThrottleOutcome = { change: kind, changed: true, from: state, to: next };
        const event = eventFor(outcome);
        return writeNext(next, { ...outcome, event }, [event]);
      },
      { onLost: (attempt) => this.deps.logger.debug('throttle state changed concurrently; re-reading', { attempt }) },
    );
    if (updated.status === 'exhausted') {
      throw new ConflictError(`throttle state kept changing concurrently; gave up after ${CAS_ATTEMPTS} attempts`);
    }
    return updated.result;
  }

  private eventFor(
    outcome: ThrottleOutcome,
    reason: string,
    action: ActionRecord | null,
    channels: string[] | undefined,
    by?: string,
  ): NotificationEvent {
    return buildEvent('throttle.changed', this.deps.clock.now(), {
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
  }

  private announce(outcome: ThrottleOutcome & { event?: NotificationEvent }, reason: string): void {
    if (outcome.event) this.deps.notifier.notify(outcome.event);
    this.deps.logger.info(`throttle ${outcome.change}`, {
      factor: outcome.to.factor,
      limit: outcome.to.limit,
      until: outcome.to.until,
      reason,
    });
  }
}
