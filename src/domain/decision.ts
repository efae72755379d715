import type { ActionStatus } from './action';

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

/** The optional members a decision's reply entry carries (ingest, trigger, simulate, replay). */
export interface DecisionDetails {
  /** For a shadow rule: what it would have decided if it enforced. */
  wouldDecide?: DecisionKind;
  /** For `cooldown`, `budget_exhausted`, `paused`, `silenced` and `inhibited`: when it ends. */
  until?: string;
  /** The action the decision dispatched, or the open approval for `duplicate_pending`. */
  actionId?: string;
  /** That action's status (final when the caller waited for it). */
  status?: ActionStatus;
  /** For `budget_exhausted`: the target whose budget is spent. */
  target?: string;
  /** For `inhibited`: the action holding the rule back. */
  inhibitedBy?: InhibitedBy;
  /** For `silenced`: the silence in force. */
  silenceId?: string;
  /** For `budget_exhausted` of limits.perIncident: the incident whose budget is spent. */
  incidentId?: string;
}

/** The decision dispatched a real action on this snapshot (a shadow rule's virtual one does not count). */
export function dispatchedAction(d: Readonly<Pick<DecisionDetails, 'actionId' | 'status'>>): boolean {
  return Boolean(d.actionId) && d.status !== undefined && d.status !== 'shadowed';
}

/**
 * Copies the decision's optional members that are set onto `out`, always in this one order: the
 * order is the replies' key order, and engine/decide's shared cooldown decision (returned to ingest
 * as it is, see isSharedDecision) has its `until` in the same place, so both read alike.
 */
export function copyDecisionDetails<T extends DecisionDetails>(out: T, d: Readonly<DecisionDetails>): T {
  const o: DecisionDetails = out;
  if (d.wouldDecide) o.wouldDecide = d.wouldDecide;
  if (d.until) o.until = d.until;
  if (d.actionId) o.actionId = d.actionId;
  if (d.status) o.status = d.status;
  if (d.target) o.target = d.target;
  if (d.inhibitedBy) o.inhibitedBy = d.inhibitedBy;
  if (d.silenceId) o.silenceId = d.silenceId;
  if (d.incidentId) o.incidentId = d.incidentId;
  return out;
}
