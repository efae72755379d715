import { INCIDENT_RESOLUTIONS, INCIDENT_STATES } from '../domain/incident';
import { ACTION_OUTCOMES } from '../domain/action';
import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString, uuid, severity, actionType, actionStatus, ruleDecisionKind } from './shared-schemas';


export const incidentSchema = {
  $id: `${R}/incident.json`,
  title: 'Incident',
  description: 'What one cause set off: the decisions, actions and alerts of one group key while it was open (docs/incidents.md).',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'groupKey', 'labels', 'state', 'openedAt', 'lastDecisionAt', 'resolvedAt', 'resolution'],
  properties: {
    id: uuid,
    groupKey: { type: 'string', description: 'The labels of incidents.groupBy, `name=value` joined by commas; one open incident per key.' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    state: { enum: [...INCIDENT_STATES] },
    openedAt: dateTime,
    lastDecisionAt: {
      ...dateTime,
      description: 'When it was last decided on: its newest decision, or a later repeat of one (a repeat is not recorded again; this moves at most every 5 s while they come). Quiet resolution counts from it.',
    },
    resolvedAt: nullableDateTime,
    resolution: {
      anyOf: [{ type: 'null' }, { enum: [...INCIDENT_RESOLUTIONS] }],
      description: '`rules_cleared`: a snapshot of its group on which none of its rules matched; `actions_effective`: every verified action was effective; `quiet`: nothing new for incidents.resolveAfterMinutes.',
    },
  },
} as const;

export const incidentPageSchema = {
  $id: `${R}/incident-page.json`,
  title: 'IncidentPage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: { $ref: `${R}/incident.json` } }, nextCursor: nullableString },
} as const;

export const incidentDetailSchema = {
  $id: `${R}/incident-detail.json`,
  title: 'IncidentDetail',
  description: 'An incident with everything it grouped, and its timeline.',
  type: 'object',
  additionalProperties: false,
  required: ['incident', 'rules', 'snapshots', 'decisions', 'actions', 'alerts', 'notices', 'timeline'],
  properties: {
    incident: { $ref: `${R}/incident.json` },
    rules: { type: 'array', items: { type: 'string' }, description: 'Every rule it grouped a decision or action of.' },
    snapshots: { type: 'array', items: { type: 'string' }, description: 'The snapshots whose decisions it grouped, the triggering one first.' },
    decisions: {
      type: 'array',
      description: 'Every decision it grouped, oldest first, with its reason; a rule\'s decision repeated unchanged is kept once (docs/incidents.md).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'incidentId', 'at', 'snapshotId', 'source', 'rule', 'decision', 'reason'],
        properties: {
          id: { type: 'string' },
          incidentId: { type: 'string' },
          at: dateTime,
          snapshotId: nullableString,
          source: nullableString,
          rule: { type: 'string' },
          decision: ruleDecisionKind,
          reason: { type: 'string' },
          actionId: { type: 'string' },
          until: { type: 'string' },
          target: { type: 'string' },
          inhibitedBy: { $ref: `${R}/inhibited-by.json` },
        },
      },
    },
    actions: {
      type: 'array',
      description: 'Its actions (reverts included), newest first, with who approved them and their outcomes.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'rule', 'type', 'severity', 'status', 'outcome', 'createdAt', 'finishedAt', 'decidedBy', 'decidedAt', 'summary', 'error'],
        properties: {
          id: uuid,
          rule: { type: 'string' },
          type: actionType,
          severity,
          status: actionStatus,
          outcome: { anyOf: [{ type: 'null' }, { enum: [...ACTION_OUTCOMES] }] },
          createdAt: dateTime,
          finishedAt: nullableDateTime,
          decidedBy: { type: ['string', 'null'], description: 'Who approved or rejected it.' },
          decidedAt: nullableDateTime,
          summary: nullableString,
          error: nullableString,
          revertOf: { type: 'string' },
        },
      },
    },
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'rule', 'severity', 'message', 'actionId', 'createdAt'],
        properties: {
          id: { type: 'string' },
          rule: { type: 'string' },
          severity,
          message: { type: 'string' },
          actionId: nullableString,
          createdAt: dateTime,
        },
      },
    },
    notices: { type: 'array', items: { type: 'string' }, description: 'The changes told so far (`opened`, `resolved`, …), one notification each.' },
    timeline: {
      type: 'array',
      description: 'Every moment in time order: opened, decisions, dispatches, approvals, results, verdicts, alerts, resolved.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'kind', 'detail'],
        properties: {
          at: dateTime,
          kind: { enum: ['opened', 'decision', 'dispatched', 'approved', 'rejected', 'expired', 'succeeded', 'failed', 'verified', 'reverted', 'alert', 'resolved'] },
          rule: { type: 'string' },
          actionId: { type: 'string' },
          alertId: { type: 'string' },
          snapshotId: nullableString,
          decision: { type: 'string' },
          detail: { type: 'string' },
        },
      },
    },
  },
} as const;

export const incidentSchemas = [incidentSchema, incidentPageSchema, incidentDetailSchema];
