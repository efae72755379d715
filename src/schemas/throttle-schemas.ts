import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString } from './shared-schemas';

const throttleStateProperties = {
  active: { type: 'boolean' },
  factor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  limit: { type: 'number', minimum: 0 },
  baseLimit: { type: 'number', minimum: 0 },
  until: nullableDateTime,
  previous: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['factor', 'limit'],
        properties: { factor: { type: 'number' }, limit: { type: 'number' } },
      },
    ],
  },
  reason: nullableString,
  restore: {
    type: 'object',
    additionalProperties: false,
    required: ['steps', 'stepMinutes', 'next', 'throttledFactor', 'rule', 'source', 'actionId', 'history'],
    description: 'A restore in steps (the rule\'s `restore`): each step up only while the rule no longer matches; a step after which it matches again goes back one (recorded in `history`). Kept once restored; absent when the throttle comes back whole.',
    properties: {
      steps: { type: 'array', items: { type: 'number' } },
      stepMinutes: { type: 'number' },
      next: { type: 'integer', minimum: 0, description: 'Index in `steps` of the next step up; `steps.length` once restored.' },
      throttledFactor: { type: 'number' },
      rule: { type: 'string' },
      source: nullableString,
      actionId: nullableString,
      history: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'change', 'from', 'to', 'reason'],
          properties: {
            at: dateTime,
            change: { enum: ['stepped', 'stepped_back', 'restored'] },
            from: { type: 'number' },
            to: { type: 'number' },
            reason: { type: 'string' },
          },
        },
      },
    },
  },
} as const;
const throttleStateRequired = ['active', 'factor', 'limit', 'baseLimit', 'until', 'previous', 'reason'] as const;

export const throttleStateSchema = {
  $id: `${R}/throttle-state.json`,
  title: 'ThrottleState',
  description: 'The request rate the apps\' limiters should allow now (`limit`), and until when.',
  type: 'object',
  additionalProperties: false,
  required: throttleStateRequired,
  properties: throttleStateProperties,
} as const;

export const throttleRestoreResultSchema = {
  $id: `${R}/throttle-restore-result.json`,
  title: 'ThrottleRestoreResult',
  type: 'object',
  additionalProperties: false,
  required: [...throttleStateRequired, 'restored'],
  properties: { ...throttleStateProperties, restored: { type: 'boolean' } },
} as const;
