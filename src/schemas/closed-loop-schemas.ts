import { SCHEMA_BASE, REPLY_BASE as R, dateTime, nullableDateTime, nullableString } from './shared-schemas';


/** POST /api/self-healing/pause. */
export const pauseRequestSchema = {
  $id: `${SCHEMA_BASE}/pause-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 1000 },
    until: { type: 'string', format: 'date-time', description: 'When the pause ends by itself; absent: until DELETE.' },
  },
} as const;

export const pauseStateSchema = {
  $id: `${R}/pause-state.json`,
  title: 'PauseState',
  description: 'The automation pause switch, shared by every instance.',
  type: 'object',
  additionalProperties: false,
  required: ['paused', 'reason', 'by', 'since', 'until'],
  properties: {
    paused: { type: 'boolean' },
    reason: nullableString,
    by: { type: ['string', 'null'], description: 'The API key (or caller) that paused.' },
    since: nullableDateTime,
    until: nullableDateTime,
  },
} as const;

export const resumeResultSchema = {
  $id: `${R}/resume-result.json`,
  title: 'ResumeResult',
  type: 'object',
  additionalProperties: false,
  required: ['resumed', 'state'],
  properties: {
    resumed: { type: 'boolean', description: 'False when automation was not paused (nothing changed).' },
    state: { $ref: `${R}/pause-state.json` },
  },
} as const;

const statsEntryProperties = {
  dispatched: { type: 'integer', minimum: 0, description: 'Actions dispatched (executed or put to approval); reverts not included.' },
  executed: { type: 'integer', minimum: 0, description: 'Actions that started running.' },
  succeeded: { type: 'integer', minimum: 0 },
  failed: { type: 'integer', minimum: 0 },
  rejected: { type: 'integer', minimum: 0 },
  expired: { type: 'integer', minimum: 0 },
  effective: { type: 'integer', minimum: 0 },
  ineffective: { type: 'integer', minimum: 0 },
  unknown: { type: 'integer', minimum: 0 },
  reverted: { type: 'integer', minimum: 0, description: 'Succeeded reverts of this rule/type.' },
  shadowed: { type: 'integer', minimum: 0, description: 'Records of a shadow rule that would have acted (status shadowed); counted in no other field.' },
  effectiveRate: { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'effective / (effective + ineffective); null when none was judged.' },
  medianRecoverySeconds: { type: ['number', 'null'], minimum: 0, description: 'From the action finishing to the first snapshot on which its rule no longer matched.' },
  medianApprovalWaitSeconds: { type: ['number', 'null'], minimum: 0, description: 'From an approval request to its decision.' },
} as const;
const statsEntryRequired = Object.keys(statsEntryProperties);

export const statsSchema = {
  $id: `${R}/stats.json`,
  title: 'ActionStats',
  description: 'How often each rule and action type fired, ran, helped, and how fast things recovered, over actions created in the window.',
  type: 'object',
  additionalProperties: false,
  required: ['window', 'from', 'to', 'rules', 'types', 'totals'],
  properties: {
    window: { enum: ['24h', '7d', '30d'] },
    from: dateTime,
    to: dateTime,
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', ...statsEntryRequired],
        properties: { rule: { type: 'string' }, ...statsEntryProperties },
      },
    },
    types: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', ...statsEntryRequired],
        properties: { type: { type: 'string' }, ...statsEntryProperties },
      },
    },
    totals: { type: 'object', additionalProperties: false, required: statsEntryRequired, properties: statsEntryProperties },
  },
} as const;

export const CLOSED_LOOP_SCHEMA_IDS = {
  pauseRequest: pauseRequestSchema.$id,
  pauseState: pauseStateSchema.$id,
  resumeResult: resumeResultSchema.$id,
  stats: statsSchema.$id,
} as const;

export const closedLoopSchemas = [pauseRequestSchema, pauseStateSchema, resumeResultSchema, statsSchema];
