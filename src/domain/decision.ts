/** What ingest, trigger and simulate decide about a matched rule (engine/decide), and report. */
export const DECISION_KINDS = [
  'execute',
  'require_approval',
  'cooldown',
  'duplicate_pending',
  'budget_exhausted',
  'paused',
  'inhibited',
  'silenced',
  'evaluation_error',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface Decision {
  rule: string;
  decision: DecisionKind;
  reason: string;
  /**
   * Cooldown end, for `cooldown`; when the budget frees a slot, for `budget_exhausted`; the pause's
   * end, for `paused`; for `silenced`, when the silence (or its scheduled window) ends.
   */
  until?: string;
  /** The target whose budget is spent, for `budget_exhausted`. */
  target?: string;
  /** The incident whose budget (limits.perIncident) is spent, for `budget_exhausted`; absent for one this snapshot opens. */
  incidentId?: string;
  /** The silence in force, for `silenced`. */
  silenceId?: string;
  /** The open approval, for `duplicate_pending`. */
  actionId?: string;
  /**
   * For `inhibited`: the action holding the rule back and its rule. `actionId` is absent in a dry
   * run when the inhibitor is this same snapshot's dispatch (it has no id before it is made).
   */
  inhibitedBy?: InhibitedBy;
}

export interface InhibitedBy {
  rule: string;
  actionId?: string;
}

/** A rule's decision after its mode (engine/rule-decisions.ts): a shadow rule's is `shadow`. */
export const RULE_DECISION_KINDS = [...DECISION_KINDS, 'shadow'] as const;
