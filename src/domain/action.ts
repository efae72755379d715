import type { ActionType, Severity } from './rule';

export const ACTION_STATUSES = [
  'pending_approval',
  'approved',
  'running',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  /** Recorded by a shadow-mode rule where it would have acted: nothing ran, nobody was asked. */
  'shadowed',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/**
 * The one action type the service fails back on its own (src/lifecycle/failback.ts): a failback is
 * an action of this type, with `failbackOf` naming the one it follows.
 */
export const FAILBACK_ACTION_TYPE = 'model_failover' satisfies ActionType;

/** A check a strategy made on the way, kept so operators can see why it acted (or did not). */
export interface StrategyCheck {
  name: string;
  ok: boolean;
  detail?: string;
  durationMs?: number;
}

/** What a strategy reports: a human summary plus the structured facts of what changed. */
export interface StrategyResult {
  summary: string;
  changed: boolean;
  details?: Record<string, unknown>;
  checks?: StrategyCheck[];
}

/**
 * A step of a running action recorded just before or just after a side effect, so that recovery
 * after a crash can tell what had been done: nothing yet, a side effect under way, or one completed.
 */
export interface ActionStep {
  name: string;
  phase: 'before' | 'after';
  /** ISO time. */
  at: string;
}

export const ACTION_OUTCOMES = ['pending', 'effective', 'ineffective', 'unknown'] as const;
/** What verification found: did the rule stop matching after the action (docs/verification.md)? */
export type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

export const ON_INEFFECTIVE = ['revert', 'escalate', 'none'] as const;
export type OnIneffective = (typeof ON_INEFFECTIVE)[number];

/** How an action is verified, fixed when it is dispatched so a later rule edit cannot change it. */
export interface VerifySpec {
  windowMinutes: number;
  onIneffective: OnIneffective;
  /** Judged by a Prometheus query at the window's end instead of (first) the snapshots (docs/verification.md). */
  prometheus?: PrometheusCheck;
}

/** The comparisons a Prometheus check may make; json-rules-engine's names for them. */
export const CHECK_OPERATORS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'equal', 'notEqual'] as const;
export type CheckOperator = (typeof CHECK_OPERATORS)[number];

/** "The action helped when `query` `operator` `value`", asked of a configured pull source's Prometheus. */
export interface PrometheusCheck {
  query: string;
  operator: CheckOperator;
  value: number;
  /** A `sources.prometheus` name; absent: the first configured source. */
  source?: string;
}

export interface ActionRecord {
  id: string;
  rule: string;
  type: ActionType;
  params: Record<string, unknown>;
  severity: Severity;
  status: ActionStatus;
  /** Who or what asked for it: `ingest:<source>`, `webhook:n8n`, or an API key's name. */
  requestedBy: string;
  snapshotId: string | null;
  /** The triggering snapshot's metrics, kept so a person deciding sees what happened. */
  snapshot: { source: string; timestamp: string; metrics: Record<string, unknown> } | null;
  /** The fact values of the conditions that matched. */
  matchedFacts: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionComment: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: StrategyResult | null;
  error: string | null;
  /**
   * The instance (cluster.instanceId) that runs or ran the action, set when it starts running or is
   * approved; null while pending. Start-up and the recovery sweep fail an unfinished action once its
   * runner is gone. Optional because records written before it existed lack it.
   */
  runner?: string | null;
  /** Steps recorded while it ran (see ActionStep); absent until the executor starts it. */
  steps?: ActionStep[];
  /**
   * What the action acts on (`router`, `prompt:<name>`, `service:<name>`, `throttle`), counted by
   * the per-target budget; null for alert_only. Optional: older records lack it.
   */
  target?: string | null;
  /** The verification in force for this action; absent when it is not verified. */
  verify?: VerifySpec;
  /** Absent when the action is not verified; `pending` until its window has been decided. */
  outcome?: ActionOutcome;
  /** When the verification window ends (set when the action succeeds). */
  verifyUntil?: Date | null;
  outcomeAt?: Date | null;
  /** The first snapshot in the window on which the rule no longer matched. */
  recoveredAt?: Date | null;
  /** For a revert: the action it undoes. Reverts are never verified, reverted or budgeted. */
  revertOf?: string;
  /** Set on an action once a revert of it has been made. */
  revertedBy?: string;
  /** For an automatic failback (back to the primary): the failover action it follows. */
  failbackOf?: string;
  /** The incident it belongs to (docs/incidents.md); absent for actions outside one (shadow records, older ones). */
  incidentId?: string;
  /** An approval given with `force: true` over a cleared condition: what it overrode. */
  forcedApproval?: { snapshotId: string; failedConditions: unknown[] } | null;
}

export type ActionPatch = Partial<
  Pick<
    ActionRecord,
    | 'status'
    | 'decidedBy'
    | 'decidedAt'
    | 'decisionComment'
    | 'startedAt'
    | 'finishedAt'
    | 'result'
    | 'error'
    | 'updatedAt'
    | 'runner'
    | 'steps'
    | 'outcome'
    | 'verifyUntil'
    | 'outcomeAt'
    | 'recoveredAt'
    | 'revertedBy'
    | 'forcedApproval'
  >
>;

export interface ActionQuery {
  status?: ActionStatus[];
  rule?: string;
  type?: ActionType;
  outcome?: ActionOutcome;
  /** Only the failbacks of this failover action. */
  failbackOf?: string;
  /** Only the actions of this incident. */
  incidentId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
