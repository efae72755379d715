import { SCHEMA_BASE } from './shared-schemas';
import { HOST_ROLES } from '../domain/state';
import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString } from './shared-schemas';

/** POST /api/health/router/reset: the body is optional; `by` names who reset (for the state's reason). */
export const routerResetRequestSchema = {
  $id: `${SCHEMA_BASE}/router-reset-request.json`,
  type: 'object',
  additionalProperties: false,
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const failoverStateProperties = {
  current: { enum: HOST_ROLES },
  primary: { type: 'string' },
  secondary: { type: 'string' },
  failedOver: { type: 'boolean' },
  failoverTimestamp: nullableDateTime,
  reason: nullableString,
  failoverCount: { type: 'integer', minimum: 0 },
  currentUrl: { type: 'string', description: 'The base URL of `current`: where clients should send model traffic.' },
} as const;
const failoverStateRequired = [
  'current',
  'primary',
  'secondary',
  'failedOver',
  'failoverTimestamp',
  'reason',
  'failoverCount',
  'currentUrl',
] as const;

const hostProbeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'ok', 'latencyMs', 'reason'],
  properties: {
    at: dateTime,
    ok: { type: 'boolean' },
    latencyMs: { type: 'number', minimum: 0, description: 'How long the answer took (or until the timeout).' },
    reason: { type: 'string', description: '`HTTP 200`, `timed out after 3000 ms`, `connection refused`, ...' },
  },
} as const;

export const routerStateSchema = {
  $id: `${R}/router-state.json`,
  title: 'RouterState',
  description: 'Which model host clients should use. The legacy fields are kept exactly as n8n workflows read them.',
  type: 'object',
  additionalProperties: false,
  required: [...failoverStateRequired, 'probes', 'healthyStreak', 'failbackAt', 'failback'],
  properties: {
    ...failoverStateProperties,
    probes: {
      type: 'array',
      items: hostProbeSchema,
      description: 'While failed over: the last probes of the primary, oldest first, with their latency. Empty on the primary.',
    },
    healthyStreak: { type: 'integer', minimum: 0, description: 'Consecutive healthy probes of the primary, up to the newest.' },
    failbackAt: {
      ...nullableDateTime,
      description: 'When the automatic failback is due if the primary stays healthy; null when none is coming (on the primary, disabled, suspended, or one under way).',
    },
    failback: {
      type: 'object',
      additionalProperties: false,
      required: [
        'enabled',
        'status',
        'healthyProbesNeeded',
        'holdSeconds',
        'secondaryProbe',
        'failoverActionId',
        'pendingFailbackId',
        'suspendedAt',
        'failbacksLastHour',
      ],
      properties: {
        enabled: { type: 'boolean' },
        status: { type: 'string', description: 'What the failback waits for, in words.' },
        healthyProbesNeeded: { type: 'integer', minimum: 1 },
        holdSeconds: { type: 'number', minimum: 0, description: 'Time on the secondary before a failback; doubled after one that did not hold.' },
        secondaryProbe: { anyOf: [{ type: 'null' }, hostProbeSchema], description: 'The last probe of the secondary (made when the primary failed one).' },
        failoverActionId: { type: ['string', 'null'], description: 'The failover action a failback would follow (`failback:<id>`).' },
        pendingFailbackId: { type: ['string', 'null'], description: 'The failback under way (pending approval, running or being verified).' },
        suspendedAt: { ...nullableDateTime, description: 'Automatic failback stopped (too many per hour); an operator decides.' },
        failbacksLastHour: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

export const routerResetResultSchema = {
  $id: `${R}/router-reset-result.json`,
  title: 'RouterResetResult',
  type: 'object',
  additionalProperties: false,
  required: [...failoverStateRequired, 'changed', 'summary', 'checks'],
  properties: {
    ...failoverStateProperties,
    changed: { type: 'boolean' },
    summary: { type: 'string' },
    checks: { type: 'array', items: { $ref: `${R}/strategy-check.json` } },
  },
} as const;
