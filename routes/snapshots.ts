import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { uuidParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import type { SnapshotQuery, StoredSnapshot } from '../src/domain/snapshot';
import type { SnapshotHistory } from '../src/remediation/snapshot-history';

/** A source as ingest accepts it (src/schemas/api-schemas.ts): printable ASCII, no spaces. */
export const SOURCE_PATTERN = /^[\x21-\x7E]{1,128}$/;
/** A dotted path of metric keys: `errorRate`, `ollama.avgResponseTimeMs` (at most 10 keys). */
export const FACT_PATH_PATTERN = /^[A-Za-z0-9_-]{1,100}(\.[A-Za-z0-9_-]{1,100}){0,9}$/;
/** `30`, `30s`, `500ms`, `5m`, `1h`, `1d`: a bucket width (a bare number is seconds). */
export const STEP_PATTERN = /^(\d{1,9})(ms|s|m|h|d)?$/;
const STEP_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const snapshotJson = (s: StoredSnapshot) => ({ id: s.id, source: s.source, timestamp: s.timestamp, receivedAt: s.receivedAt.toISOString(), metrics: s.metrics });

export function createSnapshotsRouter({ snapshots }: { snapshots: Pick<SnapshotHistory, 'list' | 'get' | 'sources' | 'series'> }): Router {
  const router = Router();

  handle(router, 'listSnapshots', async (req, res) => {
    const q = new QueryReader(req, ['source', 'from', 'to', 'limit', 'cursor']);
    const query: SnapshotQuery = { limit: q.limit() };
    const source = q.string('source', SOURCE_PATTERN);
    const from = q.date('from');
    const to = q.date('to');
    const cursor = q.cursor();
    q.done();
    if (source) query.source = source;
    if (from) query.from = from;
    if (to) query.to = to;
    if (cursor) query.cursor = cursor;
    const page = await snapshots.list(query);
    res.json({ items: page.items.map(snapshotJson), nextCursor: page.nextCursor });
  });

  handle(router, 'listSnapshotSources', async (req, res) => {
    new QueryReader(req, []).done();
    const sources = await snapshots.sources();
    res.json({ items: sources.map((s) => ({ source: s.source, count: s.count, latest: snapshotJson(s.latest) })) });
  });

  handle(router, 'getSnapshot', async (req, res) => {
    const id = uuidParam(req, 'snapshot');
    res.json(snapshotJson(await snapshots.get(id)));
  });

  handle(router, 'getSeries', async (req, res) => {
    const q = new QueryReader(req, ['source', 'fact', 'from', 'to', 'step']);
    const source = q.string('source', SOURCE_PATTERN);
    const fact = q.string('fact', FACT_PATH_PATTERN, 1010);
    const from = q.date('from');
    const to = q.date('to');
    const step = q.string('step', STEP_PATTERN, 12);
    if (source === undefined && !q.problems.some((p) => p.pointer === '/query/source')) q.problems.push({ pointer: '/query/source', message: 'is required' });
    if (fact === undefined && !q.problems.some((p) => p.pointer === '/query/fact')) q.problems.push({ pointer: '/query/fact', message: 'is required' });
    let stepMs: number | undefined;
    if (step !== undefined) {
      const [, n, unit = 's'] = STEP_PATTERN.exec(step)!;
      stepMs = Number(n) * STEP_UNITS[unit]!;
      if (stepMs < 1) q.problems.push({ pointer: '/query/step', message: 'must be at least 1 ms' });
    }
    q.done();
    res.json(await snapshots.series({ source: source!, fact: fact!, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(stepMs ? { stepMs } : {}) }));
  });

  return router;
}
