import { SCHEMA_BASE } from './shared-schemas';
import { REPLY_BASE as R, dateTime, nullableDateTime } from './shared-schemas';

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

const promptVersionProperties = {
  version: { type: 'integer', minimum: 1 },
  content: { type: 'string' },
  description: { type: 'string' },
  createdAt: dateTime,
  active: { type: 'boolean' },
} as const;

export const promptVersionSchema = {
  $id: `${R}/prompt-version.json`,
  title: 'PromptVersion',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'content', 'createdAt', 'active'],
  properties: promptVersionProperties,
} as const;

export const activePromptSchema = {
  $id: `${R}/active-prompt.json`,
  title: 'ActivePrompt',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'content', 'createdAt', 'active'],
  properties: { name: { type: 'string' }, ...promptVersionProperties },
} as const;

export const promptSchema = {
  $id: `${R}/prompt.json`,
  title: 'Prompt',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'versions', 'activeVersion', 'active'],
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { $ref: `${R}/prompt-version.json` } },
    activeVersion: { type: ['integer', 'null'] },
    active: { anyOf: [{ type: 'null' }, { $ref: `${R}/prompt-version.json` }] },
  },
} as const;

export const promptListSchema = {
  $id: `${R}/prompt-list.json`,
  title: 'PromptList',
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'activeVersion', 'latestVersion', 'versionCount', 'updatedAt'],
        properties: {
          name: { type: 'string' },
          activeVersion: { type: ['integer', 'null'] },
          latestVersion: { type: ['integer', 'null'] },
          versionCount: { type: 'integer', minimum: 0 },
          updatedAt: nullableDateTime,
        },
      },
    },
  },
} as const;

export const promptVersionCreatedSchema = {
  $id: `${R}/prompt-version-created.json`,
  title: 'PromptVersionCreated',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'prompt'],
  properties: { version: { $ref: `${R}/prompt-version.json` }, prompt: { $ref: `${R}/prompt.json` } },
} as const;
