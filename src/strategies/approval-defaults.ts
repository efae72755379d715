import type { ActionType } from '../domain/rule';

/**
 * Whether each action type waits for a person unless its rule says otherwise. Each strategy reads
 * its own entry; the CLI reads the table to decide like the service without building strategies.
 */
export const APPROVAL_DEFAULTS: Readonly<Record<ActionType, boolean>> = {
  model_failover: false,
  prompt_rollback: false,
  service_restart: true,
  throttle: false,
  alert_only: false,
};

export const approvalDefaultsMap = (): ReadonlyMap<ActionType, boolean> =>
  new Map(Object.entries(APPROVAL_DEFAULTS) as [ActionType, boolean][]);
