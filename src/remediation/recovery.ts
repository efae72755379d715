import { buildEvent } from '../integrations/notifier';
import type { ServiceDeps } from '../services/deps';

/**
 * At start-up nothing of ours can be running yet, so actions left `running` (or approved but not
 * started) were cut off by a crash or a kill: they are failed as interrupted, never left hanging.
 */
export async function recoverInterruptedActions(deps: ServiceDeps): Promise<number> {
  const { store, clock, logger, notifier } = deps;
  let recovered = 0;
  for (const action of await store.listActionsByStatus(['running', 'approved'])) {
    const now = clock.now();
    const failed = await store.transitionAction(action.id, ['running', 'approved'], {
      status: 'failed',
      finishedAt: now,
      updatedAt: now,
      error: `interrupted: the service stopped while the action was ${action.status}`,
    });
    if (!failed) continue;
    recovered += 1;
    logger.warn('action interrupted by a restart marked failed', { actionId: action.id, rule: action.rule });
    notifier.notify(buildEvent('action.failed', now, { action: failed, data: { error: failed.error } }));
  }
  return recovered;
}
