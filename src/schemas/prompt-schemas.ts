import { SCHEMA_BASE } from './api-schemas';

/** Body of POST /api/prompts/:name/versions; bounds match PROMPT_LIMITS in the registry. */
export const promptVersionRequestSchema = {
  $id: `${SCHEMA_BASE}/prompt-version-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['content'],
  properties: {
    content: { type: 'string', minLength: 1, maxLength: 100000 },
    description: { type: 'string', maxLength: 1000 },
    activate: { type: 'boolean' },
  },
} as const;

export const PROMPT_SCHEMA_IDS = {
  versionRequest: promptVersionRequestSchema.$id,
} as const;

export const promptSchemas = [promptVersionRequestSchema];
