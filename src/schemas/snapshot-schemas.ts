import { REPLY_BASE as R, dateTime, nullableString, uuid } from './shared-schemas';


export const storedSnapshotSchema = {
  $id: `${R}/stored-snapshot.json`,
  title: 'StoredSnapshot',
  description: 'A snapshot as stored: `receivedAt` is when the service took it (the order replay, verification and series use); `timestamp` is what the source said.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'source', 'timestamp', 'receivedAt', 'metrics'],
  properties: {
    id: uuid,
    source: { type: 'string' },
    timestamp: { type: 'string' },
    receivedAt: dateTime,
    metrics: { type: 'object' },
  },
} as const;

export const snapshotPageSchema = {
  $id: `${R}/snapshot-page.json`,
  title: 'SnapshotPage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: storedSnapshotSchema.$id } },
    nextCursor: nullableString,
  },
} as const;

export const snapshotSourcesSchema = {
  $id: `${R}/snapshot-sources.json`,
  title: 'SnapshotSources',
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'count', 'latest'],
        properties: {
          source: { type: 'string' },
          count: { type: 'integer', minimum: 1, description: 'Snapshots of this source still stored.' },
          latest: { $ref: storedSnapshotSchema.$id },
        },
      },
    },
  },
} as const;

export const seriesSchema = {
  $id: `${R}/series.json`,
  title: 'Series',
  description: 'One numeric fact of one source over [from, to]: each bucket of `stepMs` keeps its lowest and highest point, and the newest sample ends it: at most 1,000 points.',
  type: 'object',
  additionalProperties: false,
  required: ['source', 'fact', 'from', 'to', 'stepMs', 'samples', 'points'],
  properties: {
    source: { type: 'string' },
    fact: { type: 'string' },
    from: dateTime,
    to: dateTime,
    stepMs: { type: 'integer', minimum: 1, description: 'The bucket width used (the one asked for, widened to keep within 1,000 points).' },
    samples: { type: 'integer', minimum: 0, description: 'Snapshots in the span that carried the fact as a number.' },
    points: {
      type: 'array',
      maxItems: 1000,
      description: '[received-at in ms since the epoch, value], oldest first.',
      items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } },
    },
  },
} as const;

export const SNAPSHOT_SCHEMA_IDS = {
  storedSnapshot: storedSnapshotSchema.$id,
  snapshotPage: snapshotPageSchema.$id,
  snapshotSources: snapshotSourcesSchema.$id,
  series: seriesSchema.$id,
} as const;

export const snapshotSchemas = [storedSnapshotSchema, snapshotPageSchema, snapshotSourcesSchema, seriesSchema];
