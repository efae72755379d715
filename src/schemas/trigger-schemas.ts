import { SCHEMA_BASE } from './api-schemas';

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
