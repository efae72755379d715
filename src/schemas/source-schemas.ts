import { SOURCE_FAILURE_REASONS } from '../domain/observers';
import { REPLY_BASE as R, dateTime, nullableDateTime, nullableString } from './shared-schemas';


const queryStatus = {
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'query', 'by', 'splitBy', 'durationMs', 'values', 'leftOut', 'error'],
  properties: {
    fact: { type: 'string' },
    query: { type: 'string' },
    by: nullableString,
    splitBy: nullableString,
    durationMs: { type: 'number', minimum: 0, description: 'How long the query took in the last run (0 before the first).' },
    values: { type: 'integer', minimum: 0, description: 'Numbers the last run placed in snapshots.' },
    leftOut: { type: 'integer', minimum: 0, description: 'NaN, ±Inf, or series without the by/splitBy label: left out.' },
    error: {
      description: 'Why the last run of this query gave nothing; null when it answered.',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['reason', 'message'],
          properties: { reason: { enum: [...SOURCE_FAILURE_REASONS] }, message: { type: 'string' } },
        },
      ],
    },
  },
} as const;

const pulledSnapshot = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'timestamp', 'metrics', 'snapshotId', 'error'],
  properties: {
    source: { type: 'string' },
    timestamp: dateTime,
    metrics: { type: 'object' },
    snapshotId: { type: ['string', 'null'], description: 'The stored snapshot; null when ingest refused it (see error).' },
    error: nullableString,
  },
} as const;

/** GET /api/self-healing/sources. */
export const sourcesOverviewSchema = {
  $id: `${R}/sources-overview.json`,
  title: 'SourcesOverview',
  description: 'The pull sources as this instance sees them. Only the periodic-work lease holder pulls (`pulling`); the others show `standby`.',
  type: 'object',
  additionalProperties: false,
  required: ['pulling', 'staleAfterSeconds', 'sources'],
  properties: {
    pulling: { type: 'boolean', description: 'True when this instance holds the periodic-work lease and so runs the queries.' },
    staleAfterSeconds: { type: 'number' },
    sources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'url', 'intervalSeconds', 'state', 'stale', 'lastRun', 'lastSuccessAt', 'nextRunAt', 'consecutiveFailures', 'queries', 'lastSnapshots'],
        properties: {
          name: { type: 'string' },
          url: { type: 'string' },
          intervalSeconds: { type: 'number' },
          state: {
            enum: ['not_run', 'ok', 'partial', 'failing', 'standby'],
            description: 'ok: every query answered in the last run; partial: some failed; failing: none answered; standby: another instance pulls.',
          },
          stale: { type: 'boolean', description: 'No fully successful run for staleAfterSeconds; one alert has been raised.' },
          lastRun: {
            oneOf: [
              { type: 'null' },
              { type: 'object', additionalProperties: false, required: ['at', 'durationMs'], properties: { at: dateTime, durationMs: { type: 'number', minimum: 0 } } },
            ],
          },
          lastSuccessAt: nullableDateTime,
          nextRunAt: nullableDateTime,
          consecutiveFailures: { type: 'integer', minimum: 0 },
          queries: { type: 'array', items: queryStatus },
          lastSnapshots: { type: 'array', items: pulledSnapshot },
        },
      },
    },
  },
} as const;

export const SOURCE_SCHEMA_IDS = { sourcesOverview: sourcesOverviewSchema.$id } as const;

export const sourceSchemas = [sourcesOverviewSchema];
