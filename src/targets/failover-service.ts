import type { ActionRecord, StrategyCheck } from '../domain/action';
import type { FailbackHold, FailoverState, HostRole, Versioned } from '../domain/state';
import { ConflictError } from '../errors';
import { checkModelHostHealth, type HostHealth } from '../integrations/model-host-health';
import { buildEvent } from '../domain/events';
import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { NotificationEvent, Notifier } from '../domain/events';
import type { Logger } from '../logging/logger';
import { keepStored, updateVersioned, writeNext } from '../store/compare-and-set';
import { FAILOVER_STATE, type VersionedStateStore } from '../store/versioned-state-store';

export interface FailoverServiceDeps {
  store: VersionedStateStore;
  config: Pick<AppConfig, 'modelHosts'>;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}

/** Who asked for a switch, so the failover.changed event can name the rule and action. */
export interface SwitchOrigin {
  action?: ActionRecord | null;
  channels?: string[];
}

/** What a switch (or a reset) did: always the checks made, whether or not anything changed. */
export interface SwitchOutcome {
  changed: boolean;
  from: HostRole;
  to: HostRole;
  summary: string;
  state: FailoverState;
  checks: StrategyCheck[];
}

/** A switch that did not happen (or was undone); carries the state as it stands and the checks. */
export class FailoverSwitchError extends Error {
  constructor(
    message: string,
    readonly from: HostRole,
    readonly to: HostRole,
    readonly state: FailoverState,
    readonly checks: StrategyCheck[],
  ) {
    super(message);
    this.name = 'FailoverSwitchError';
  }
}

function toCheck(name: string, health: HostHealth): StrategyCheck {
  return { name, ok: health.ok, detail: `GET ${health.url} → ${health.reason}`, durationMs: health.durationMs };
}

/**
 * Which model host client apps should use (primary or secondary), persisted so it survives restarts.
 * Every change is one compare-and-set on the stored revision; a switch happens only after the target
 * answered its health check, and is undone if the target fails the check made right after switching.
 */
export class FailoverService {
  constructor(private readonly deps: FailoverServiceDeps) {}

  /** The base URL of a host role, as configured now. */
  urlOf(role: HostRole): string {
    return this.deps.config.modelHosts[role];
  }

  /** The current state; the defaults (on primary, never failed over) until something is stored. */
  async getState(): Promise<FailoverState> {
    return this.read();
  }

  /**
   * Switch to `target` if its health check passes, then check it again and roll back if that fails.
   * Already on the target: nothing changes (and nothing is probed). Throws FailoverSwitchError.
   */
  async switchTo(
    target: HostRole,
    reason: string,
    signal?: AbortSignal,
    origin: SwitchOrigin = {},
  ): Promise<SwitchOutcome> {
    const current = await this.read();
    const from = current.current;
    if (from === target) {
      return {
        changed: false,
        from,
        to: target,
        summary: `already on ${target} (${this.urlOf(target)}); nothing changed`,
        state: current,
        checks: [],
      };
    }
    const health = await this.check(target, signal);
    const checks = [toCheck(`health:${target}`, health)];
    if (!health.ok) {
      throw new FailoverSwitchError(
        `${target} host ${this.urlOf(target)} is unhealthy (${health.reason}); staying on ${from}`,
        from,
        target,
        current,
        checks,
      );
    }
    return this.commitAndVerify(target, reason, checks, signal, origin);
  }

  /**
   * Back to primary, but only when the primary answers its health check: otherwise a 409 that says
   * why, and nothing changes. On primary already and healthy: nothing changes.
   */
  async reset(by: string, signal?: AbortSignal): Promise<SwitchOutcome> {
    const current = await this.read();
    const from = current.current;
    const health = await this.check('primary', signal);
    const checks = [toCheck('health:primary', health)];
    if (!health.ok) {
      throw new ConflictError(
        `primary host ${this.urlOf('primary')} is unhealthy (${health.reason}); staying on ${from}`,
        { reason: health.reason, checks, state: current },
        'primary_unhealthy',
      );
    }
    if (from === 'primary') {
      return {
        changed: false,
        from,
        to: 'primary',
        summary: `already on primary (${this.urlOf('primary')}); nothing changed`,
        state: current,
        checks,
      };
    }
    try {
      return await this.commitAndVerify('primary', `reset to primary by ${by}`, checks, signal, {});
    } catch (err) {
      if (err instanceof FailoverSwitchError) {
        throw new ConflictError(err.message, { reason: err.message, checks: err.checks, state: err.state }, 'primary_unhealthy');
      }
      throw err;
    }
  }

  private async check(role: HostRole, signal?: AbortSignal): Promise<HostHealth> {
    return checkModelHostHealth(this.urlOf(role), this.deps.config.modelHosts, signal);
  }

  /** The failback's hold as it stands: stored, else the configured defaults. */
  holdOf(state: FailoverState): FailbackHold {
    const min = this.deps.config.modelHosts.failback.minHoldSeconds;
    const stored = state.failback;
    if (!stored) return { failoverActionId: null, holdSeconds: min, recent: [], pending: null, suspendedAt: null };
    // A minimum raised in the configuration since applies at once; a doubled hold stays until it is earned back.
    return { ...stored, holdSeconds: Math.max(min, stored.holdSeconds) };
  }

  /**
   * Changes the failback's hold, nothing else, as one compare-and-set (re-read when it loses a race):
   * `change` returns the new hold, or null to leave it. Returns the state written, or null when
   * `change` declined or kept losing races. Whoever's write lands owns the change (exclusive).
   */
  async updateHold(change: (hold: FailbackHold, state: FailoverState) => FailbackHold | null): Promise<FailoverState | null> {
    const written = await updateVersioned(this.deps.store, FAILOVER_STATE, (stored) => {
      const current = this.withConfig(stored);
      const next = change(this.holdOf(current), current);
      if (!next) return keepStored(null);
      const candidate: FailoverState = { ...current, failback: next };
      return writeNext(candidate, candidate);
    });
    return written.status === 'exhausted' ? null : written.result;
  }

  private initialState(): FailoverState {
    return {
      current: 'primary',
      primary: this.urlOf('primary'),
      secondary: this.urlOf('secondary'),
      failedOver: false,
      failoverTimestamp: null,
      reason: null,
      failoverCount: 0,
    };
  }

  /**
   * The stored state with the URLs taken from the configuration: the role is what is persisted,
   * so a changed host URL applies at once (and is written back with the next change).
   */
  private async read(): Promise<FailoverState> {
    return this.withConfig(await this.deps.store.getVersioned(FAILOVER_STATE));
  }

  private withConfig(stored: Versioned<FailoverState> | null): FailoverState {
    if (!stored) return this.initialState();
    return { ...stored.value, primary: this.urlOf('primary'), secondary: this.urlOf('secondary') };
  }

  private nextState(previous: FailoverState, target: HostRole, reason: string, origin: SwitchOrigin): FailoverState {
    return {
      current: target,
      primary: this.urlOf('primary'),
      secondary: this.urlOf('secondary'),
      failedOver: target !== 'primary',
      failoverTimestamp: this.deps.clock.now().toISOString(),
      reason,
      failoverCount: previous.failoverCount + (target === 'secondary' ? 1 : 0),
      failback: this.holdAfterSwitch(previous, target, origin),
    };
  }

  /**
   * The hold travels with every switch (its doubling must outlive the failback it punishes). A new
   * failover names the action to fail back from; going back to the secondary by reverting a failback
   * keeps the failover it came from. Reaching the primary, however, ends a suspension: that is the
   * operator's decision the suspension waited for, or a failback that worked.
   */
  private holdAfterSwitch(previous: FailoverState, target: HostRole, origin: SwitchOrigin): FailbackHold {
    const hold = this.holdOf(previous);
    if (target === 'primary') return { ...hold, suspendedAt: null };
    const action = origin.action ?? null;
    const failoverActionId = action?.revertOf || action?.failbackOf ? hold.failoverActionId : (action?.id ?? null);
    return { ...hold, failoverActionId };
  }

  /**
   * Writes the switch (compare-and-set, re-read and retried when it loses a race), announces it,
   * re-checks the new host, and rolls back if the re-check fails.
   */
  private async commitAndVerify(
    target: HostRole,
    reason: string,
    checks: StrategyCheck[],
    signal: AbortSignal | undefined,
    origin: SwitchOrigin,
  ): Promise<SwitchOutcome> {
    const switched = await updateVersioned(this.deps.store, FAILOVER_STATE, (stored) => {
      const current = this.withConfig(stored);
      if (current.current === target) return keepStored(current);
      const candidate = this.nextState(current, target, reason, origin);
      // The announcement is committed with the state it announces.
      const event = this.eventFor(current.current, target, candidate, origin, false);
      return writeNext(candidate, { previous: current, next: candidate, event }, [event]);
    });
    if (switched.status === 'kept') {
      // Someone else (a concurrent action or a reset) got there first: the goal holds already.
      return {
        changed: false,
        from: target,
        to: target,
        summary: `already on ${target} (${this.urlOf(target)}), switched by a concurrent change; nothing changed`,
        state: switched.result,
        checks,
      };
    }
    if (switched.status === 'exhausted') {
      const state = await this.getState();
      throw new FailoverSwitchError(
        `could not record the switch to ${target}: the failover state kept changing under concurrent writes`,
        state.current,
        target,
        state,
        checks,
      );
    }

    const { previous, next, event } = switched.result;
    const from = previous.current;
    this.deps.notifier.notify(event);
    this.deps.logger.warn(`model traffic switched from ${from} to ${target}`, {
      from,
      to: target,
      fromUrl: this.urlOf(from),
      toUrl: this.urlOf(target),
      reason,
    });

    const recheck = await this.check(target, signal);
    checks.push(toCheck(`health:${target}:recheck`, recheck));
    if (recheck.ok) {
      return {
        changed: true,
        from,
        to: target,
        summary: `switched model traffic from ${from} (${this.urlOf(from)}) to ${target} (${this.urlOf(target)})`,
        state: next,
        checks,
      };
    }
    return this.rollBack(from, target, recheck, previous, checks, origin);
  }

  /** Undo a switch whose re-check failed, unless someone else has changed the state since. */
  private async rollBack(
    from: HostRole,
    target: HostRole,
    recheck: HostHealth,
    before: FailoverState,
    checks: StrategyCheck[],
    origin: SwitchOrigin,
  ): Promise<never> {
    const why = `re-check of ${target} host ${this.urlOf(target)} failed (${recheck.reason})`;
    const rolledBack = await updateVersioned(this.deps.store, FAILOVER_STATE, (stored) => {
      const current = this.withConfig(stored);
      if (current.current !== target) {
        throw new FailoverSwitchError(
          `switched to ${target} but ${why}; the state was changed concurrently to ${current.current}, left as is`,
          from,
          target,
          current,
          checks,
        );
      }
      const restored: FailoverState = {
        ...before,
        primary: this.urlOf('primary'),
        secondary: this.urlOf('secondary'),
        failoverTimestamp: this.deps.clock.now().toISOString(),
        reason: `rolled back to ${from}: ${why}`,
        // The hold as it stands now: it may have changed since the switch began.
        ...(current.failback ? { failback: current.failback } : {}),
      };
      const announcement = this.eventFor(target, from, restored, origin, true);
      return writeNext(restored, { restored, announcement }, [announcement]);
    });
    if (rolledBack.status === 'written') {
      const { restored, announcement } = rolledBack.result;
      this.deps.notifier.notify(announcement);
      this.deps.logger.warn(`model traffic switch to ${target} rolled back to ${from}`, { reason: why });
      throw new FailoverSwitchError(`switched to ${target} but ${why}; rolled back to ${from}`, from, target, restored, checks);
    }
    const state = await this.getState();
    throw new FailoverSwitchError(
      `switched to ${target} but ${why}; the rollback to ${from} lost every race with concurrent writes`,
      from,
      target,
      state,
      checks,
    );
  }

  private eventFor(from: HostRole, to: HostRole, state: FailoverState, origin: SwitchOrigin, rolledBack: boolean): NotificationEvent {
    return buildEvent('failover.changed', this.deps.clock.now(), {
        action: origin.action ?? null,
        severity: origin.action?.severity ?? 'warning',
        channels: origin.channels,
        data: {
          from,
          to,
          fromUrl: this.urlOf(from),
          toUrl: this.urlOf(to),
          currentUrl: this.urlOf(state.current),
          reason: state.reason,
          rolledBack,
          state,
        },
      });
  }
}
