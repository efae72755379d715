import { SCHEMA_BASE } from './api-schemas';

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
