import type { ActionPatch, ActionRecord, StrategyResult } from '../domain/action';
import { buildEvent, type NotificationEvent } from '../domain/events';
import { type FaultPoints, noFaults } from '../domain/fault-points';
import type { Rule } from '../domain/rule';
import type { ActionStore } from '../store/action-store';
import type { PipelineDepsOn } from './pipeline-deps';
import { StrategyFailure, type StrategyMap } from '../strategies/strategy';

export interface ExecutorDeps extends PipelineDepsOn<ActionStore> {
  strategies: StrategyMap;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
  /** Waits between attempts to record an outcome while the store does not take it. */
  outcomeRetryDelaysMs?: number[];
}

/** The strategy acted: its result must not be lost to a store that is away for a moment. */
const OUTCOME_RETRY_DELAYS_MS = [100, 300, 1000, 3000];

class StrategyTimeout extends Error {}

/**
 * Runs actions that are already `running`: calls the strategy under a deadline, records the outcome
 * (succeeded with its result, or failed with the reason) and tells people. It never throws: a
 * strategy that throws or hangs ends as a failed action and the service keeps serving.
 */
export class ActionExecutor {
  private readonly inFlight = new Map<string, { done: Promise<ActionRecord>; controller: AbortController }>();

  constructor(private readonly deps: ExecutorDeps) {}

  get runningCount(): number {
    return this.inFlight.size;
  }

  /** Whether this process is running the action now (recovery tells its own live work from leftovers). */
  isRunning(actionId: string): boolean {
    return this.inFlight.has(actionId);
  }

  /**
   * Runs the action under the rule that dispatched (or approved) it: the strategy reads it, and
   * the outcome goes to its channels. Null when the rule is gone: the log channel is told.
   */
  run(action: ActionRecord, rule: Rule | null): Promise<ActionRecord> {
    const controller = new AbortController();
    const done = this.execute(action, rule, controller).finally(() => this.inFlight.delete(action.id));
    this.inFlight.set(action.id, { done, controller });
    return done;
  }

  /** Waits for running actions up to `timeoutMs`, then aborts what is left (it is failed as interrupted). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    const all = Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const flight of this.inFlight.values()) flight.controller.abort(new Error('the service is shutting down'));
      await all;
    }
  }

  private async execute(action: ActionRecord, rule: Rule | null, controller: AbortController): Promise<ActionRecord> {
    const { store, clock, logger, notifier } = this.deps;
    const strategy = this.deps.strategies.get(action.type);
    const startedAt = clock.now();
    let result: StrategyResult | null = null;
    let error: string | null = null;
    try {
      if (!strategy) throw new StrategyFailure(`no strategy for action type ${action.type}`);
      const timeoutMs = Math.min(strategy.timeoutMs, this.deps.config.actions.timeoutMs);
      const step = this.stepRecorder(action);
      await step('strategy', 'before');
      const work = action.revertOf
        ? this.revert(action, controller.signal)
        : strategy.execute({
            action,
            params: action.params,
            rule,
            signal: controller.signal,
            logger,
            step,
          });
      this.faults.reach('executor.strategy-running');
      result = await this.withDeadline(work, timeoutMs, controller);
      this.faults.reach('executor.after-strategy');
    } catch (err) {
      if (err instanceof StrategyFailure) {
        error = err.message;
        result = { summary: err.message, changed: false, details: err.details, checks: err.checks };
      } else if (err instanceof StrategyTimeout) {
        error = err.message;
      } else if (controller.signal.aborted) {
        error = `interrupted: ${(controller.signal.reason as Error)?.message ?? 'aborted'}`;
      } else {
        error = `strategy error: ${err instanceof Error ? err.message : String(err)}`;
        logger.error('strategy threw', { actionId: action.id, type: action.type, error: err instanceof Error ? err.stack : String(err) });
      }
    }
    const finishedAt = clock.now();
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const status = error === null ? 'succeeded' : 'failed';
    // A succeeded action with a verification opens its window now (reverts carry none).
    const verification =
      status === 'succeeded' && action.verify
        ? { outcome: 'pending' as const, verifyUntil: new Date(finishedAt.getTime() + action.verify.windowMinutes * 60_000) }
        : {};
    const eventFor = (recorded: ActionRecord): NotificationEvent =>
      buildEvent(status === 'succeeded' ? 'action.succeeded' : 'action.failed', finishedAt, {
        action: recorded,
        data: { summary: result?.summary ?? error, result, error, durationMs },
        channels: rule?.notifications.channels ?? ['log'],
      });
    const patch: ActionPatch = { status, finishedAt, updatedAt: finishedAt, result, error, ...verification };
    const outcome = await this.recordOutcome(action, patch, eventFor);
    logger.log(status === 'succeeded' ? 'info' : 'warn', `action ${status}`, {
      actionId: action.id,
      rule: action.rule,
      type: action.type,
      durationMs,
      error,
    });
    if (outcome.kind === 'recorded') {
      notifier.notify(outcome.event);
      return outcome.action;
    }
    const recorded: ActionRecord = { ...action, ...patch };
    // Not in the store: people still hear of it (without the committed event's guarantee).
    if (outcome.kind === 'unrecorded') notifier.notify(eventFor(recorded));
    return outcome.kind === 'finished_elsewhere' ? outcome.action : recorded;
  }

  /**
   * Writes the outcome with its event in one store write, retrying while the store does not answer
   * (the strategy has acted; its result is worth waiting for). `finished_elsewhere`: another
   * instance's recovery failed the action first (it sent that event).
   */
  private async recordOutcome(
    action: ActionRecord,
    patch: ActionPatch,
    eventFor: (recorded: ActionRecord) => NotificationEvent,
  ): Promise<
    | { kind: 'recorded'; action: ActionRecord; event: NotificationEvent }
    | { kind: 'finished_elsewhere'; action: ActionRecord }
    | { kind: 'unrecorded' }
  > {
    const { store, logger } = this.deps;
    const delays = this.deps.outcomeRetryDelaysMs ?? OUTCOME_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      let event: NotificationEvent | null = null;
      try {
        const final = await store.transitionAction(action.id, ['running'], patch, undefined, (next) => {
          event = eventFor(next);
          return [event];
        });
        if (final && event) return { kind: 'recorded', action: final, event };
        const now = await store.getAction(action.id);
        logger.warn('action outcome not recorded: the action was finished elsewhere first', {
          actionId: action.id,
          status: now?.status,
          error: now?.error,
        });
        return now ? { kind: 'finished_elsewhere', action: now } : { kind: 'unrecorded' };
      } catch (err) {
        if (attempt >= delays.length) {
          logger.error('could not record the outcome of an action', { actionId: action.id, error: (err as Error).message });
          return { kind: 'unrecorded' };
        }
        logger.warn('could not record the outcome of an action yet; retrying', { actionId: action.id, error: (err as Error).message });
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    }
  }

  /**
   * Steps go on the action as they happen (one store write each). A `before` that cannot be
   * written stops the strategy before it acts; an `after` that cannot is only logged.
   */
  private stepRecorder(action: ActionRecord): (name: string, phase: 'before' | 'after') => Promise<void> {
    const steps = [...(action.steps ?? [])];
    return async (name, phase) => {
      steps.push({ name, phase, at: this.deps.clock.now().toISOString() });
      try {
        const recorded = await this.deps.store.transitionAction(action.id, ['running'], { steps: [...steps] });
        if (!recorded) throw new Error('the action is no longer running');
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (phase === 'before') throw new StrategyFailure(`could not record step "${name}" before acting (${why}); nothing was done`);
        this.deps.logger.warn('could not record a step of an action', { actionId: action.id, step: name, phase, error: why });
      }
    };
  }

  private get faults(): FaultPoints {
    return this.deps.faults ?? noFaults;
  }

  /** A revert runs its strategy's inverse against the action it undoes. */
  private async revert(action: ActionRecord, signal: AbortSignal): Promise<StrategyResult> {
    const strategy = this.deps.strategies.get(action.type);
    if (!strategy?.revert) throw new StrategyFailure(`${action.type} has no inverse`);
    const original = await this.deps.store.getAction(action.revertOf!);
    if (!original) throw new StrategyFailure(`the reverted action ${action.revertOf} no longer exists`);
    return strategy.revert({ original, action, signal, logger: this.deps.logger });
  }

  private withDeadline<T>(work: Promise<T>, timeoutMs: number, controller: AbortController): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new StrategyTimeout(`timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    return Promise.race([work, deadline, aborted]).finally(() => clearTimeout(timer));
  }
}
