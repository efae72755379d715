import { Router } from 'express';
import { uuidParam } from '../src/http/path-params';
import type { SnapshotQuery, StoredSnapshot } from '../src/domain/snapshot';
import type { SnapshotHistory } from '../src/history/snapshot-history';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { cursorParam, dateTimeQuery, idParam, limitParam, notFound } from '../src/http/route-parameters';
import { seriesSchema, snapshotPageSchema, snapshotSourcesSchema, storedSnapshotSchema } from '../src/schemas/snapshot-schemas';

/** A source as ingest accepts it (snapshotSchema in src/schemas/ingest-schemas.ts): printable ASCII, no spaces. */
const SOURCE_PATTERN = '^[\\x21-\\x7E]{1,128}$';
/** `30`, `30s`, `500ms`, `5m`, `1h`, `1d`: a bucket width (a bare number is seconds), at least 1 ms. */
const STEP_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const SNAPSHOT_ROUTES = declareRoutes({
  listSnapshots: {
    method: 'GET',
    path: '/api/self-healing/snapshots',
    access: 'viewer',
    tag: 'snapshots',
    summary: 'Stored snapshots, newest first by the time they were received',
    description: 'Paged like the action history (`nextCursor`). Retention (`snapshots.retention`) bounds what is kept.',
    parameters: [
      { name: 'source', in: 'query', description: 'Only this source.', schema: { type: 'string', pattern: SOURCE_PATTERN } },
      { name: 'from', in: 'query', description: 'Received at or after (ISO 8601).', schema: dateTimeQuery },
      { name: 'to', in: 'query', description: 'Received at or before (ISO 8601).', schema: dateTimeQuery },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: snapshotPageSchema }],
  },
  listSnapshotSources: {
    method: 'GET',
    path: '/api/self-healing/snapshots/sources',
    access: 'viewer',
    tag: 'snapshots',
    summary: 'Every source with stored snapshots: its newest snapshot and how many are kept',
    responses: [{ status: 200, description: 'The sources, by name (at most 500).', schema: snapshotSourcesSchema }],
  },
  getSnapshot: {
    method: 'GET',
    path: '/api/self-healing/snapshots/:id',
    access: 'viewer',
    tag: 'snapshots',
    summary: 'One stored snapshot',
    parameters: [idParam('Snapshot')],
    responses: [{ status: 200, description: 'The snapshot.', schema: storedSnapshotSchema }],
    errors: [notFound('snapshot (or removed by retention)')],
  },
  getSeries: {
    method: 'GET',
    path: '/api/self-healing/series',
    access: 'viewer',
    tag: 'snapshots',
    summary: 'One numeric fact of one source over time, downsampled to at most 1,000 points',
    description:
      'Reads the source\'s snapshots received in [from, to] by the (source, receivedAt) index; snapshots where the fact is missing or not a number are skipped. The span is cut into buckets of `step` from `from` (widened so there are at most 499), and each bucket gives its lowest and its highest point at their own times, the newest sample last: a spike is never averaged away.',
    parameters: [
      { name: 'source', in: 'query', required: true, description: 'The source.', schema: { type: 'string', pattern: SOURCE_PATTERN } },
      {
        name: 'fact',
        in: 'query',
        required: true,
        description: 'Dotted path into the metrics: `errorRate`, `ollama.avgResponseTimeMs` (keys of letters, digits, `_`, `-`; at most 10).',
        schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}(\\.[A-Za-z0-9_-]{1,100}){0,9}$', maxLength: 1009 },
      },
      { name: 'from', in: 'query', description: 'Received at or after (ISO 8601); default `to` minus 24 h.', schema: dateTimeQuery },
      { name: 'to', in: 'query', description: 'Received at or before (ISO 8601); default now.', schema: dateTimeQuery },
      { name: 'step', in: 'query', description: 'Bucket width, at least 1 ms: `500ms`, `30s`, `5m`, `1h`, `1d`, or a bare number of seconds.', schema: { type: 'string', pattern: '^(?=\\d*[1-9])\\d{1,9}(ms|s|m|h|d)?$' } },
    ],
    responses: [{ status: 200, description: 'The series.', schema: seriesSchema }],
  },
});

/** The width a `step` names, in ms (its declared pattern leaves no other shape). */
function stepWidthMs(step: string): number {
  const [, n, unit = 's'] = /^(\d+)(ms|s|m|h|d)?$/.exec(step)!;
  return Number(n) * STEP_UNITS[unit]!;
}

const snapshotJson = (s: StoredSnapshot) => ({ id: s.id, source: s.source, timestamp: s.timestamp, receivedAt: s.receivedAt.toISOString(), metrics: s.metrics });

export function createSnapshotsRouter({ snapshots }: { snapshots: Pick<SnapshotHistory, 'list' | 'get' | 'sources' | 'series'> }): Router {
  const router = Router();

  mount(router, SNAPSHOT_ROUTES.listSnapshots, async (req, res) => {
    const query: SnapshotQuery = readQuery(SNAPSHOT_ROUTES.listSnapshots, req);
    const page = await snapshots.list(query);
    res.json({ items: page.items.map(snapshotJson), nextCursor: page.nextCursor });
  });

  mount(router, SNAPSHOT_ROUTES.listSnapshotSources, async (req, res) => {
    const sources = await snapshots.sources();
    res.json({ items: sources.map((s) => ({ source: s.source, count: s.count, latest: snapshotJson(s.latest) })) });
  });

  mount(router, SNAPSHOT_ROUTES.getSnapshot, async (req, res) => {
    const id = uuidParam(req, 'snapshot');
    res.json(snapshotJson(await snapshots.get(id)));
  });

  mount(router, SNAPSHOT_ROUTES.getSeries, async (req, res) => {
    const { step, ...query } = readQuery(SNAPSHOT_ROUTES.getSeries, req);
    res.json(await snapshots.series({ ...query, ...(step ? { stepMs: stepWidthMs(step) } : {}) }));
  });

  return router;
}
