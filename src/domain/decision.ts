/** What ingest, trigger and simulate decide about a matched rule (engine/decide), and report. */
export const DECISION_KINDS = ['execute', 'require_approval', 'cooldown', 'duplicate_pending', 'evaluation_error'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface Decision {
  rule: string;
  decision: DecisionKind;
  reason: string;
  /** Cooldown end, for `cooldown`. */
  until?: string;
  /** The open approval, for `duplicate_pending`. */
  actionId?: string;
}
