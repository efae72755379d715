import { SCHEMA_BASE } from './api-schemas';

const decisionKind = { enum: ['execute', 'require_approval', 'cooldown', 'duplicate_pending'] } as const;
const ruleDecisionKind = { enum: [...decisionKind.enum, 'shadow'] } as const;
const dateTime = { type: 'string', format: 'date-time', maxLength: 64 } as const;
const counts = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(ruleDecisionKind.enum.map((k) => [k, { type: 'integer', minimum: 0 }])),
} as const;

/** Body of POST /api/self-healing/replay (docs/replay.md). */
export const replayRequestSchema = {
  $id: `${SCHEMA_BASE}/replay-request.json`,
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: { type: 'object', description: 'A whole candidate rules file; default: the rules in force. Checked like the file.' },
    from: dateTime,
    to: dateTime,
    sources: {
      type: 'array',
      maxItems: 100,
      uniqueItems: true,
      items: { $ref: `${SCHEMA_BASE}/snapshot.json#/properties/source` },
    },
    snapshots: { type: 'array', maxItems: 10000, items: { $ref: `${SCHEMA_BASE}/snapshot.json` } },
    approvals: { enum: ['approve', 'reject', 'pending'] },
    compareTo: { const: 'current' },
    limit: { type: 'integer', minimum: 1, maximum: 10000 },
    cursor: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const replayResultSchema = {
  $id: `${SCHEMA_BASE}/responses/replay-result.json`,
  title: 'ReplayResult',
  type: 'object',
  additionalProperties: false,
  required: ['rulesVersion', 'approvals', 'from', 'to', 'snapshots', 'timeline', 'nextCursor', 'summary'],
  properties: {
    rulesVersion: { type: 'string' },
    currentVersion: { type: 'string' },
    approvals: { enum: ['approve', 'reject', 'pending'] },
    from: { type: ['string', 'null'], format: 'date-time' },
    to: { type: ['string', 'null'], format: 'date-time' },
    snapshots: { type: 'integer', minimum: 0 },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'source', 'rule', 'decision'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          source: { type: 'string' },
          rule: { type: 'string' },
          decision: ruleDecisionKind,
          wouldDecide: decisionKind,
          snapshotId: { type: 'string' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
    summary: {
      type: 'array',
      items: { ...counts, required: ['rule'], properties: { rule: { type: 'string' }, ...counts.properties } },
    },
    diff: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'current', 'candidate'],
        properties: { rule: { type: 'string' }, current: counts, candidate: counts },
      },
    },
  },
} as const;

export const REPLAY_SCHEMA_IDS = {
  replayRequest: replayRequestSchema.$id,
  replayResult: replayResultSchema.$id,
} as const;

export const replaySchemas = [replayRequestSchema, replayResultSchema];
