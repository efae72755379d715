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
  >
>;

export interface ActionQuery {
  status?: ActionStatus[];
  rule?: string;
  type?: ActionType;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
