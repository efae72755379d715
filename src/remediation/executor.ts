import type { ActionRecord, StrategyResult } from '../domain/action';
import { buildEvent } from '../domain/events';
import type { Rule } from '../domain/rule';
import type { PipelineDeps } from './pipeline-deps';
import { StrategyFailure, type StrategyMap } from '../strategies/strategy';

export interface ExecutorDeps extends PipelineDeps {
  strategies: StrategyMap;
}

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
      result = await this.withDeadline(
        action.revertOf ? this.revert(action, controller.signal) : strategy.execute({
          action,
          params: action.params,
          rule,
          signal: controller.signal,
          logger,
        }),
        timeoutMs,
        controller,
      );
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
    let final: ActionRecord | null = null;
    try {
      final = await store.transitionAction(action.id, ['running'], {
        status,
        finishedAt,
        updatedAt: finishedAt,
        result,
        error,
        ...verification,
      });
    } catch (err) {
      logger.error('could not record the outcome of an action', { actionId: action.id, error: (err as Error).message });
    }
    const recorded = final ?? { ...action, status, finishedAt, result, error, ...verification };
    logger.log(status === 'succeeded' ? 'info' : 'warn', `action ${status}`, {
      actionId: action.id,
      rule: action.rule,
      type: action.type,
      durationMs,
      error,
    });
    notifier.notify(
      buildEvent(status === 'succeeded' ? 'action.succeeded' : 'action.failed', finishedAt, {
        action: recorded,
        data: { summary: result?.summary ?? error, result, error, durationMs },
        channels: rule?.notifications.channels ?? ['log'],
      }),
    );
    return recorded;
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
