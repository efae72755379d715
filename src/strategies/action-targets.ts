import type { ActionType } from '../domain/rule';

/**
 * What each action type acts on, for the per-target budget, and whether it has an inverse. Each
 * strategy reads its own entry; replay and the CLI read the table to play budgets and reverts
 * without building strategies (which need live integrations).
 */
const TARGETS: Readonly<Record<ActionType, (params: Record<string, unknown>) => string | null>> = {
  model_failover: () => 'router',
  prompt_rollback: (params) => `prompt:${String(params.prompt)}`,
  service_restart: (params) => `service:${String(params.service)}`,
  throttle: () => 'throttle',
  alert_only: () => null,
};

export function targetOfAction(type: ActionType, params: Record<string, unknown>): string | null {
  return TARGETS[type](params);
}

/** The types whose strategy declares `revert`; an ineffective action of another type is escalated instead. */
export const REVERTIBLE_TYPES: ReadonlySet<ActionType> = new Set<ActionType>(['model_failover', 'prompt_rollback', 'throttle']);
