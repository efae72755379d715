import { SCHEMA_BASE } from './api-schemas';

/** POST /api/health/router/reset: the body is optional; `by` names who reset (for the state's reason). */
export const routerResetRequestSchema = {
  $id: `${SCHEMA_BASE}/router-reset-request.json`,
  type: 'object',
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;
