import type { ActionType } from '../domain/rule';

/**
 * What the service knows of an action type apart from how it acts: one entry per type, read by its
 * strategy and by what cannot build strategies (they need live integrations) — replay, the CLI's
 * `rules test` — so that the two never disagree.
 */
export interface ActionSpec {
  /** What the action acts on, the key of the per-target budget; null when it changes nothing. */
  targetOf: (params: Record<string, unknown>) => string | null;
  /** Whether it waits for a person unless its rule says otherwise (`requiresApproval`). */
  approvalByDefault: boolean;
  /** Whether it has an inverse (its strategy declares `revert`); an ineffective action of another type is escalated. */
  revertible: boolean;
  /** Where its `params` are described in config/self-healing-rules.schema.json (the rules file validates against it). */
  paramsSchema: `#/$defs/params/${ActionType}`;
}

export const ACTION_SPECS: Readonly<Record<ActionType, ActionSpec>> = {
  model_failover: { targetOf: () => 'router', approvalByDefault: false, revertible: true, paramsSchema: '#/$defs/params/model_failover' },
  prompt_rollback: {
    targetOf: (params) => `prompt:${String(params.prompt)}`,
    approvalByDefault: false,
    revertible: true,
    paramsSchema: '#/$defs/params/prompt_rollback',
  },
  service_restart: {
    targetOf: (params) => `service:${String(params.service)}`,
    // A restart drops every in-flight request of the service: a person says when.
    approvalByDefault: true,
    revertible: false,
    paramsSchema: '#/$defs/params/service_restart',
  },
  throttle: { targetOf: () => 'throttle', approvalByDefault: false, revertible: true, paramsSchema: '#/$defs/params/throttle' },
  // An alert changes nothing that could be protected or undone: no target, no inverse.
  alert_only: { targetOf: () => null, approvalByDefault: false, revertible: false, paramsSchema: '#/$defs/params/alert_only' },
};

export function targetOfAction(type: ActionType, params: Record<string, unknown>): string | null {
  return ACTION_SPECS[type].targetOf(params);
}

export function isRevertible(type: ActionType): boolean {
  return ACTION_SPECS[type].revertible;
}

/** Each type's approval default, as decide takes them (a rule's own `requiresApproval` wins). */
export const approvalDefaultsMap = (): ReadonlyMap<ActionType, boolean> =>
  new Map((Object.keys(ACTION_SPECS) as ActionType[]).map((type) => [type, ACTION_SPECS[type].approvalByDefault]));
