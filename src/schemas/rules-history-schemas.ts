import { SCHEMA_BASE, REPLY_BASE as R, dateTime, nullableString } from './shared-schemas';

const version = { type: 'string', pattern: '^[0-9a-f]{20}$' } as const;

/** Body of POST /api/self-healing/rules/rollback. */
export const rollbackRequestSchema = {
  $id: `${SCHEMA_BASE}/rules-rollback-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { ...version, description: 'A version listed by GET /api/self-healing/rules/history.' } },
} as const;

const fieldChange = {
  type: 'object',
  additionalProperties: false,
  required: ['field'],
  properties: { field: { type: 'string' }, before: {}, after: {} },
} as const;

export const rulesVersionSchema = {
  $id: `${R}/rules-version.json`,
  title: 'RulesVersion',
  description: 'One accepted version of the rules file: who (key name, `file`, or `api` without keys), how, and what changed against the version before.',
  type: 'object',
  additionalProperties: false,
  required: ['seq', 'version', 'at', 'by', 'cause', 'rollbackOf', 'previousVersion', 'rules', 'diff'],
  properties: {
    seq: { type: 'integer', minimum: 1 },
    version,
    at: dateTime,
    by: { type: 'string' },
    cause: { enum: ['api', 'file', 'rollback'] },
    rollbackOf: nullableString,
    previousVersion: nullableString,
    rules: { type: 'integer', minimum: 0 },
    diff: {
      type: 'object',
      additionalProperties: false,
      required: ['added', 'removed', 'changed'],
      properties: {
        added: { type: 'array', items: { type: 'string' } },
        removed: { type: 'array', items: { type: 'string' } },
        changed: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['rule', 'fields'],
            properties: { rule: { type: 'string' }, fields: { type: 'array', items: fieldChange } },
          },
        },
      },
    },
  },
} as const;

export const rulesHistoryPageSchema = {
  $id: `${R}/rules-history-page.json`,
  title: 'RulesHistoryPage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: rulesVersionSchema.$id } },
    nextCursor: nullableString,
  },
} as const;

export const rollbackResultSchema = {
  $id: `${R}/rules-rollback-result.json`,
  title: 'RulesRollbackResult',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'restored'],
  properties: {
    version: { type: 'string', description: 'The file\'s version now (its new ETag).' },
    restored: version,
  },
} as const;

export const RULES_HISTORY_SCHEMA_IDS = {
  rollbackRequest: rollbackRequestSchema.$id,
  rulesVersion: rulesVersionSchema.$id,
  historyPage: rulesHistoryPageSchema.$id,
  rollbackResult: rollbackResultSchema.$id,
} as const;

export const rulesHistorySchemas = [rollbackRequestSchema, rulesVersionSchema, rulesHistoryPageSchema, rollbackResultSchema];
