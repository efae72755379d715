import { SCHEMA_BASE, REPLY_BASE as R, dateTime, boundedDateTime, nullableDateTime, nullableString, decisionKind, ruleDecisionKind } from './shared-schemas';

const outcomeKind = { enum: ['effective', 'ineffective', 'unknown'] } as const;
// `paused` never comes out of a replay (it plays automation unpaused) but is a decision all the same.
/** What a summary or diff row counts: decisions, outcomes, what followed an ineffective one, windows still open. */
const countKeys = [...ruleDecisionKind.enum, ...outcomeKind.enum, 'reverted', 'escalated', 'verifying'] as const;
const counts = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(countKeys.map((k) => [k, { type: 'integer', minimum: 0 }])),
} as const;

/** Body of POST /api/self-healing/replay (docs/replay.md). */
export const replayRequestSchema = {
  $id: `${SCHEMA_BASE}/replay-request.json`,
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: { type: 'object', description: 'A whole candidate rules file; default: the rules in force. Checked like the file.' },
    from: boundedDateTime,
    to: boundedDateTime,
    sources: {
      type: 'array',
      maxItems: 100,
      uniqueItems: true,
      items: { $ref: `${SCHEMA_BASE}/snapshot.json#/properties/source` },
    },
    snapshots: { type: 'array', maxItems: 10000, items: { $ref: `${SCHEMA_BASE}/snapshot.json` } },
    approvals: { enum: ['approve', 'reject', 'pending'] },
    clock: {
      enum: ['received', 'timestamp'],
      description: 'Stored history plays on when each snapshot was received (default) or on its own `timestamp`; given snapshots always play on their `timestamp`.',
    },
    compareTo: { const: 'current' },
    limit: { type: 'integer', minimum: 1, maximum: 10000 },
    cursor: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

export const replayResultSchema = {
  $id: `${R}/replay-result.json`,
  title: 'ReplayResult',
  type: 'object',
  additionalProperties: false,
  required: ['rulesVersion', 'approvals', 'clock', 'from', 'to', 'snapshots', 'timeline', 'nextCursor', 'summary'],
  properties: {
    rulesVersion: { type: 'string' },
    currentVersion: { type: 'string' },
    approvals: { enum: ['approve', 'reject', 'pending'] },
    clock: { enum: ['received', 'timestamp'], description: 'The clock the replay played on.' },
    from: nullableDateTime,
    to: nullableDateTime,
    snapshots: { type: 'integer', minimum: 0 },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'source', 'rule', 'decision'],
        properties: {
          at: dateTime,
          source: { type: 'string' },
          rule: { type: 'string' },
          decision: { enum: [...ruleDecisionKind.enum, 'verified'], description: '`verified`: a verification window ended and `outcome` was decided.' },
          wouldDecide: decisionKind,
          actionId: { type: 'string', description: 'The virtual action (replay-<n>) a dispatch recorded, or the one a `verified` entry is about.' },
          target: { type: 'string' },
          inhibitedBy: {
            type: 'object',
            additionalProperties: false,
            required: ['rule'],
            properties: { rule: { type: 'string' }, actionId: { type: 'string' } },
            description: 'For `inhibited`: the (virtual) action holding the rule back, and its rule.',
          },
          until: dateTime,
          silenceId: { type: 'string', description: 'For `silenced`: the stored silence that was in force at that instant.' },
          outcome: outcomeKind,
          recoveredAt: dateTime,
          followUp: { enum: ['revert', 'escalate', 'none'], description: 'For an ineffective outcome: what the service would have done (a replay does nothing).' },
          snapshotId: { type: 'string' },
        },
      },
    },
    nextCursor: nullableString,
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
