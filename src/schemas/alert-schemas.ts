import { SCHEMA_BASE } from './shared-schemas';
import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString, uuid, severity } from './shared-schemas';

/** Body of POST /api/self-healing/alerts/:id/ack. */
export const alertAckRequestSchema = {
  $id: `${SCHEMA_BASE}/alert-ack-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['by'],
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const ALERT_SCHEMA_IDS = {
  ackRequest: alertAckRequestSchema.$id,
} as const;

export const alertSchemas = [alertAckRequestSchema];

export const alertSchema = {
  $id: `${R}/alert.json`,
  title: 'Alert',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'rule', 'severity', 'message', 'metrics', 'actionId', 'createdAt', 'acknowledgedAt', 'acknowledgedBy'],
  properties: {
    id: uuid,
    rule: { type: 'string' },
    severity,
    message: { type: 'string' },
    metrics: { type: 'object' },
    actionId: { type: ['string', 'null'] },
    incidentId: { ...uuid, description: 'The incident of the action (or escalation) it reports.' },
    createdAt: dateTime,
    acknowledgedAt: nullableDateTime,
    acknowledgedBy: nullableString,
  },
} as const;

export const alertPageSchema = {
  $id: `${R}/alert-page.json`,
  title: 'AlertPage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: { $ref: `${R}/alert.json` } }, nextCursor: nullableString },
} as const;
