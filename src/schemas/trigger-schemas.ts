import { SCHEMA_BASE } from './shared-schemas';
import { REPLY_BASE as R } from './shared-schemas';

/** POST /api/self-healing/rules/:name/trigger: the body is optional; `reason` is kept for the approver. */
export const triggerRequestSchema = {
  $id: `${SCHEMA_BASE}/trigger-request.json`,
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const TRIGGER_SCHEMA_IDS = { triggerRequest: triggerRequestSchema.$id } as const;

export const triggerResultSchema = {
  $id: `${R}/trigger-result.json`,
  title: 'TriggerResult',
  type: 'object',
  additionalProperties: false,
  required: ['rulesVersion', 'requestedBy', 'decisions'],
  properties: {
    rulesVersion: { type: 'string' },
    requestedBy: { type: 'string', description: 'The API key name (or `manual:unauthenticated` in open mode).' },
    decisions: { type: 'array', minItems: 1, maxItems: 1, items: { $ref: `${R}/applied-decision.json` } },
  },
} as const;
