import { isInstanceAlive } from '../cluster/instance-liveness';
import type { ActionRecord } from '../domain/action';
import { buildEvent, type NotificationEvent } from '../domain/events';
import type { RulesService } from '../rules/rules-service';
import type { ActionStore } from '../store/action-store';
import type { LeaseStore } from '../store/lease-store';
import type { PipelineDeps, PipelineDepsOn } from '../execution/pipeline-deps';

/** Recovery tells people about what it failed, through each rule's own channels. */
export interface RecoveryDeps extends PipelineDepsOn<ActionStore & LeaseStore> {
  rules: Pick<RulesService, 'channelsFor'>;
}

export type RecoveryScope =
  /** Once at start-up, before this instance runs anything: its own and runner-less leftovers too. */
  | 'start'
  /** The leased sweep: what instances whose liveness lease expired left behind. */
  | 'dead-instances'
  /** Every instance's own sweep: what it left behind itself while alive (see below). */
  | 'own-leftovers';

export interface RecoveryOptions {
  /** This instance, as recorded in the `runner` of what it runs. */
  instanceId: string;
  scope: RecoveryScope;
  /** For 'own-leftovers': whether this instance's executor is running the action right now. */
  runningHere?: (actionId: string) => boolean;
}

/**
 * Fails, as interrupted, actions left `running` or `approved` that nobody will finish; leaving them
 * would hide that a remediation may have been cut off half-way.
 *
 * Which instance runs an action is its `runner`. An action is interrupted when
 *  - its runner's liveness lease (`instance:<runner>`) has expired: that process died or lost the
 *    store for longer than `cluster.leaseTtlMs` ('start' and 'dead-instances');
 *  - its runner is this instance and this instance is starting: a restart with a fixed INSTANCE_ID
 *    ('start');
 *  - it has no runner (written before runners were recorded) and this instance is starting ('start');
 *  - its runner is this live instance, whose executor is not running it, and it has not changed
 *    for leaseTtlMs: its outcome could not be written, e.g. the store was away when it finished
 *    ('own-leftovers').
 * Actions that a live instance is running are never touched. Each failure is a conditional
 * transition, so instances recovering at the same time fail each action once.
 */
export async function recoverInterruptedActions(deps: RecoveryDeps, options: RecoveryOptions): Promise<number> {
  const { store, logger } = deps;
  const { instanceId, scope } = options;
  const alive = new Map<string, boolean>();
  let recovered = 0;
  for (const action of await store.listActionsByStatus(['running', 'approved'])) {
    const runner = action.runner ?? null;
    let cause: string;
    if (scope === 'own-leftovers') {
      if (runner !== instanceId || options.runningHere?.(action.id) !== false || !untouchedFor(action, deps)) continue;
      cause = `instance ${runner} no longer runs it (its outcome was not recorded; see that instance's log)`;
    } else if (runner === instanceId || runner === null) {
      if (scope !== 'start') continue;
      cause = runner === null ? 'the service stopped' : `instance ${runner} restarted`;
    } else {
      if (!alive.has(runner)) alive.set(runner, await isInstanceAlive(deps, runner, instanceId));
      if (alive.get(runner)) continue;
      cause = `instance ${runner} stopped (its liveness lease expired)`;
    }
    try {
      if (await failInterrupted(deps, action, `interrupted: ${cause} while the action was ${action.status}; ${whereItStopped(action)}`)) {
        recovered += 1;
        logger.warn('interrupted action marked failed', { actionId: action.id, rule: action.rule, runner, recoveredBy: instanceId });
      }
    } catch (err) {
      // E.g. a change the dead instance had half made is not yet old enough to complete: the next
      // sweep comes back to it. One action must not stop the recovery of the others, nor a start.
      logger.warn('could not recover an interrupted action yet; the recovery sweep retries', {
        actionId: action.id,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return recovered;
}

/** What the recorded steps say was done before the interruption. */
export function whereItStopped(action: ActionRecord): string {
  const steps = action.steps ?? [];
  const last = steps[steps.length - 1];
  if (!last) return 'its strategy had not started: nothing was done';
  if (last.name === 'strategy') return 'its strategy had started but recorded no side effect yet';
  if (last.phase === 'before') return `it was interrupted during "${last.name}", which may or may not have taken effect`;
  return `"${last.name}" had completed; the steps after it did not run or were not recorded`;
}

/**
 * Between the store taking a dispatch or approval and the executor picking the action up there is
 * a moment when it is `running` here but not yet in the executor; a lease's length is far beyond it.
 */
function untouchedFor(action: ActionRecord, deps: Pick<PipelineDeps, 'clock' | 'config'>): boolean {
  return deps.clock.now().getTime() - action.updatedAt.getTime() > deps.config.cluster.leaseTtlMs;
}

async function failInterrupted(deps: RecoveryDeps, action: ActionRecord, error: string): Promise<boolean> {
  const now = deps.clock.now();
  let event: NotificationEvent | null = null;
  const failed = await deps.store.transitionAction(
    action.id,
    ['running', 'approved'],
    { status: 'failed', finishedAt: now, updatedAt: now, error },
    undefined,
    (next) => [(event = buildEvent('action.failed', now, { action: next, data: { error }, channels: deps.rules.channelsFor(next.rule) }))],
  );
  if (!failed) return false;
  if (event) deps.notifier.notify(event);
  return true;
}
