import { STORE_KINDS } from '../config/schema';
import { REPLY_BASE as R, dateTime } from './shared-schemas';

export const healthSchema = {
  $id: `${R}/health.json`,
  title: 'Health',
  type: 'object',
  additionalProperties: false,
  required: ['status', 'uptimeSeconds'],
  properties: {
    status: { const: 'ok' },
    uptimeSeconds: { type: 'integer', minimum: 0 },
    instance: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'periodicWork'],
      description: 'Which instance answered, and whether it holds the lease for the periodic work.',
      properties: { id: { type: 'string' }, periodicWork: { type: 'boolean' } },
    },
  },
} as const;

export const rulesFileErrorSchema = {
  $id: `${R}/rules-file-error.json`,
  title: 'RulesFileError',
  description: 'Why the rules file on disk was refused (the last good rules stay in force).',
  type: 'object',
  additionalProperties: false,
  required: ['file', 'pointer', 'message', 'problems', 'at'],
  properties: {
    file: { type: 'string' },
    pointer: { type: 'string' },
    message: { type: 'string' },
    problems: { type: 'array', items: { $ref: `${R}/problem-detail.json` } },
    at: dateTime,
  },
} as const;

export const readinessSchema = {
  $id: `${R}/readiness.json`,
  title: 'Readiness',
  type: 'object',
  additionalProperties: false,
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      additionalProperties: false,
      required: ['store', 'rules'],
      properties: {
        store: {
          type: 'object',
          additionalProperties: false,
          required: ['ok', 'kind'],
          properties: { ok: { type: 'boolean' }, kind: { enum: STORE_KINDS } },
        },
        rules: {
          type: 'object',
          additionalProperties: false,
          required: ['ok'],
          properties: {
            ok: { type: 'boolean' },
            file: { type: 'string' },
            version: { type: 'string' },
            loadedAt: dateTime,
            lastError: { anyOf: [{ type: 'null' }, { $ref: `${R}/rules-file-error.json` }] },
            count: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
  },
} as const;

export const strategyCheckSchema = {
  $id: `${R}/strategy-check.json`,
  title: 'StrategyCheck',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ok'],
  properties: {
    name: { type: 'string' },
    ok: { type: 'boolean' },
    detail: { type: 'string' },
    durationMs: { type: 'number', minimum: 0 },
  },
} as const;
