import { DECISION_KINDS } from '../domain/decision';
import { SCHEMA_BASE, REPLY_BASE as R, dateTime, boundedDateTime, uuid, actionStatus, decisionKind, ruleDecisionKind } from './shared-schemas';

/** What a source sends: one snapshot (also the NDJSON batch line and the simulate body's `snapshot`). */
export const snapshotSchema = {
  $id: `${SCHEMA_BASE}/snapshot.json`,
  type: 'object',
  additionalProperties: false,
  required: ['source', 'timestamp', 'metrics'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' },
    timestamp: boundedDateTime,
    // Each top-level key becomes a json-rules-engine fact, which refuses an empty id (a 500 otherwise).
    metrics: { type: 'object', maxProperties: 500, propertyNames: { minLength: 1, maxLength: 200 } },
  },
} as const;

/** The envelope only: each snapshot is validated alone, so one bad one does not refuse the rest. */
export const metricsBatchSchema = {
  $id: `${SCHEMA_BASE}/metrics-batch.json`,
  type: 'object',
  additionalProperties: false,
  required: ['snapshots'],
  properties: {
    snapshots: { type: 'array', minItems: 1, description: 'At most `snapshots.batchMaxCount` (default 1,000).' },
  },
} as const;

export const ingestResultSchema = {
  $id: `${R}/ingest-result.json`,
  title: 'IngestResult',
  type: 'object',
  additionalProperties: false,
  required: ['snapshotId', 'rulesVersion', 'decisions', 'counts'],
  properties: {
    snapshotId: uuid,
    rulesVersion: { type: 'string' },
    decisions: {
      type: 'array',
      description: 'One entry per matched rule (or rule that could not be evaluated), in priority order; with `?decisions=acted`, without `cooldown` and `duplicate_pending` entries.',
      items: { $ref: `${R}/applied-decision.json` },
    },
    counts: { $ref: `${R}/decision-counts.json` },
  },
} as const;

export const decisionCountsSchema = {
  $id: `${R}/decision-counts.json`,
  title: 'DecisionCounts',
  description: 'Every decision taken for a snapshot, by kind (only the kinds that occurred), whether listed in `decisions` or left out by `?decisions=acted`.',
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries([...DECISION_KINDS, 'shadow'].map((k) => [k, { type: 'integer', minimum: 1 }])),
} as const;

export const batchIngestResultSchema = {
  $id: `${R}/batch-ingest-result.json`,
  title: 'BatchIngestResult',
  description: 'One entry per snapshot, in input order: what a single ingest returns, or the problem with that snapshot.',
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        anyOf: [
          { $ref: `${R}/ingest-result.json` },
          {
            type: 'object',
            additionalProperties: false,
            required: ['error'],
            properties: { error: { $ref: `${R}/problem.json` } },
          },
        ],
      },
    },
  },
} as const;

export const appliedDecisionSchema = {
  $id: `${R}/applied-decision.json`,
  title: 'AppliedDecision',
  description: 'What was done about one matched rule; `status` is the action\'s (final with `wait=true`).',
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'decision', 'reason'],
  properties: {
    rule: { type: 'string' },
    decision: ruleDecisionKind,
    wouldDecide: decisionKind,
    reason: { type: 'string' },
    actionId: uuid,
    status: actionStatus,
    until: dateTime,
    target: { type: 'string', description: 'For `budget_exhausted`: the target whose budget is spent.' },
    inhibitedBy: { $ref: `${R}/inhibited-by.json` },
    incidentId: { type: 'string', format: 'uuid', description: 'For `budget_exhausted` of limits.perIncident: the incident whose budget is spent.' },
    silenceId: { type: 'string', description: 'For `silenced`: the silence in force (`until`: when it, or its scheduled window, ends).' },
  },
} as const;

export const inhibitedBySchema = {
  $id: `${R}/inhibited-by.json`,
  title: 'InhibitedBy',
  description: 'For `inhibited`: the action holding the rule back and its rule; no `actionId` in a dry run whose inhibitor is the same snapshot\'s dispatch.',
  type: 'object',
  additionalProperties: false,
  required: ['rule'],
  properties: { rule: { type: 'string' }, actionId: uuid },
} as const;
