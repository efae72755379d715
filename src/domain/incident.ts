import type { DecisionKind, InhibitedBy } from './decision';

/** The labels an incident may be grouped by (config incidents.groupBy), like Alertmanager's group_by. */
export const GROUP_LABELS = ['source', 'target', 'rule', 'type', 'severity'] as const;
export type GroupLabel = (typeof GROUP_LABELS)[number];

export const INCIDENT_STATES = ['open', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/**
 * Why an incident was resolved: a snapshot of its group on which none of its rules matched, every
 * action of it verified effective, or nothing new for incidents.resolveAfterMinutes.
 */
export const INCIDENT_RESOLUTIONS = ['rules_cleared', 'actions_effective', 'quiet'] as const;
export type IncidentResolution = (typeof INCIDENT_RESOLUTIONS)[number];

/** What one cause set off: the decisions, actions and alerts of one group key while it was open. */
export interface Incident {
  id: string;
  /** The labels it groups by, joined (`source=agentx`); at most one open incident per key. */
  groupKey: string;
  labels: Record<string, string>;
  state: IncidentState;
  openedAt: Date;
  /** Same as openedAt: pages and cursors order by it. */
  createdAt: Date;
  resolvedAt: Date | null;
  resolution: IncidentResolution | null;
  /**
   * When it was last decided on (a decision recorded or repeated), moved forward at most every few
   * seconds per instance; quiet resolution and rules_cleared read it. Absent on incidents stored
   * before it was kept: their newest decision's time stands for it.
   */
  lastDecisionAt?: Date;
}

/** What an incident keeps of one decision about a matched rule. */
export interface IncidentDecision {
  id: string;
  incidentId: string;
  at: Date;
  snapshotId: string | null;
  source: string | null;
  rule: string;
  decision: DecisionKind | 'shadow';
  reason: string;
  actionId?: string;
  until?: string;
  target?: string;
  inhibitedBy?: InhibitedBy;
}

export interface IncidentQuery {
  state?: IncidentState;
  /** Incidents whose labels say this source. */
  source?: string;
  /** Opened at or after. */
  since?: Date;
  limit: number;
  cursor?: string;
}

/**
 * Per-rule events about an incident's actions that its notices stand for: with incidents.notify
 * "incident" they go to the log, the console and the metrics but not to webhooks (docs/incidents.md).
 * `action.pending_approval` is not among them: it is the question a person answers.
 */
export const TOLD_BY_INCIDENT: ReadonlySet<string> = new Set([
  'action.succeeded',
  'action.failed',
  'action.rejected',
  'action.expired',
  'action.verified',
  'action.ineffective',
  'alert.created',
  'failover.changed',
  'throttle.changed',
]);

/** The group key of a set of labels: `name=value` pairs in groupBy's order, joined by commas. */
export function groupKeyOf(labels: Record<string, string>, groupBy: readonly GroupLabel[]): string {
  return groupBy.map((l) => `${l}=${labels[l] ?? ''}`).join(',');
}
