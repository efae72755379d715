import type { ActionRecord } from '../domain/action';
import type { Incident, IncidentDecision } from '../domain/incident';
import type { Alert } from '../domain/state';

/** One moment of an incident's timeline (GET /api/self-healing/incidents/:id, docs/incidents.md). */
export interface TimelineEntry {
  at: string;
  kind: 'opened' | 'decision' | 'dispatched' | 'approved' | 'rejected' | 'expired' | 'succeeded' | 'failed' | 'verified' | 'reverted' | 'alert' | 'resolved';
  rule?: string;
  actionId?: string;
  alertId?: string;
  snapshotId?: string | null;
  decision?: string;
  detail: string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function actionView(a: ActionRecord) {
  return {
    id: a.id,
    rule: a.rule,
    type: a.type,
    severity: a.severity,
    status: a.status,
    outcome: a.outcome ?? null,
    createdAt: a.createdAt.toISOString(),
    finishedAt: iso(a.finishedAt),
    decidedBy: a.decidedBy,
    decidedAt: iso(a.decidedAt),
    summary: a.result?.summary ?? null,
    error: a.error,
    ...(a.revertOf ? { revertOf: a.revertOf } : {}),
  };
}

function actionMoments(a: ActionRecord): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const what = a.revertOf ? `revert of ${a.revertOf}` : a.type;
  out.push({ at: a.createdAt.toISOString(), kind: a.revertOf ? 'reverted' : 'dispatched', rule: a.rule, actionId: a.id, detail: `${what} ${a.expiresAt ? 'asked for approval' : 'dispatched'} (requested by ${a.requestedBy})` });
  if (a.decidedAt && (a.status !== 'expired')) {
    const rejected = a.status === 'rejected';
    out.push({ at: a.decidedAt.toISOString(), kind: rejected ? 'rejected' : 'approved', rule: a.rule, actionId: a.id, detail: `${rejected ? 'rejected' : 'approved'} by ${a.decidedBy ?? 'unknown'}${a.decisionComment ? `: ${a.decisionComment}` : ''}` });
  }
  if (a.status === 'expired') out.push({ at: a.updatedAt.toISOString(), kind: 'expired', rule: a.rule, actionId: a.id, detail: 'the approval expired' });
  if (a.finishedAt && (a.status === 'succeeded' || a.status === 'failed')) {
    out.push({ at: a.finishedAt.toISOString(), kind: a.status, rule: a.rule, actionId: a.id, detail: a.status === 'failed' ? (a.error ?? 'failed') : (a.result?.summary ?? 'succeeded') });
  }
  if (a.outcomeAt && a.outcome && a.outcome !== 'pending') {
    out.push({ at: a.outcomeAt.toISOString(), kind: 'verified', rule: a.rule, actionId: a.id, detail: `${a.outcome}${a.recoveredAt ? `, recovered at ${a.recoveredAt.toISOString()}` : ''}` });
  }
  return out;
}

/**
 * Everything an incident grouped, and the timeline drawn from it: the snapshots that set it off, every
 * decision with its reason, the actions with who approved them and their outcomes, the alerts, and
 * when and why it was resolved.
 */
export function incidentSummary(incident: Incident, decisions: IncidentDecision[], actions: ActionRecord[], alerts: Alert[], notices: string[]) {
  const timeline: TimelineEntry[] = [{ at: incident.openedAt.toISOString(), kind: 'opened', detail: `opened for ${incident.groupKey}` }];
  for (const d of decisions) {
    timeline.push({ at: d.at.toISOString(), kind: 'decision', rule: d.rule, decision: d.decision, snapshotId: d.snapshotId, ...(d.actionId ? { actionId: d.actionId } : {}), detail: d.reason });
  }
  for (const a of actions) timeline.push(...actionMoments(a));
  for (const al of alerts) timeline.push({ at: al.createdAt.toISOString(), kind: 'alert', rule: al.rule, alertId: al.id, ...(al.actionId ? { actionId: al.actionId } : {}), detail: `${al.severity}: ${al.message}` });
  if (incident.resolvedAt) timeline.push({ at: incident.resolvedAt.toISOString(), kind: 'resolved', detail: `resolved: ${incident.resolution}` });
  // Stable: moments of one instant keep the order they were added in (opened, decisions, actions, …).
  const ordered = timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map(({ e }) => e);
  return {
    incident: incidentView(incident),
    rules: [...new Set([...decisions.map((d) => d.rule), ...actions.map((a) => a.rule)])],
    snapshots: [...new Set(decisions.map((d) => d.snapshotId).filter((id): id is string => id !== null))],
    decisions: decisions.map((d) => ({ ...d, at: d.at.toISOString() })),
    actions: actions.map(actionView).reverse(),
    alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity, message: a.message, actionId: a.actionId, createdAt: a.createdAt.toISOString() })).reverse(),
    notices,
    timeline: ordered,
  };
}

export function incidentView(i: Incident) {
  return {
    id: i.id,
    groupKey: i.groupKey,
    labels: i.labels,
    state: i.state,
    openedAt: i.openedAt.toISOString(),
    lastDecisionAt: (i.lastDecisionAt ?? i.openedAt).toISOString(),
    resolvedAt: iso(i.resolvedAt),
    resolution: i.resolution,
  };
}
