import { type Request, Router } from 'express';
import type { AppConfig } from '../src/config/schema';
import type { Snapshot } from '../src/domain/snapshot';
import { AppError, type ProblemDetail, ValidationError } from '../src/errors';
import { problemBody } from '../src/http/error-handler';
import { parseBody } from '../src/http/validate';
import type { IdempotentReplies } from '../src/pipeline/idempotent-replies';
import { ingestReplyJson } from '../src/pipeline/ingest-reply';
import type { RemediationService } from '../src/pipeline/remediation-service';
import { SCHEMA_IDS, type SchemaRegistry } from '../src/schemas/registry';
import { nonFiniteNumbers } from '../src/schemas/finite-numbers';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import { replyOnce } from './idempotent-reply';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { idempotencyErrors, idempotencyKey, ingestQueryParams } from '../src/http/route-parameters';
import { batchIngestResultSchema, ingestResultSchema } from '../src/schemas/ingest-schemas';

export const INGEST_ROUTES = declareRoutes({
  ingestSnapshot: {
    method: 'POST',
    path: '/api/metrics',
    access: 'operator',
    tag: 'remediation',
    summary: 'Ingest a metric snapshot: evaluate, decide, act',
    parameters: [
      ...ingestQueryParams,
      idempotencyKey,
    ],
    body: { schema: SCHEMA_IDS.snapshot, required: true },
    responses: [{ status: 200, description: 'Stored and evaluated; one decision per matched rule.', schema: ingestResultSchema, headers: ['Idempotent-Replayed'] }],
    errors: idempotencyErrors,
    ingestLimited: true,
  },
  ingestSnapshotBatch: {
    method: 'POST',
    path: '/api/metrics/batch',
    access: 'operator',
    tag: 'remediation',
    summary: 'Ingest many snapshots in one request',
    description:
      'Body `{ "snapshots": [...] }` (application/json) or one snapshot per line (application/x-ndjson), at most `snapshots.batchMaxCount` (default 1,000) and the body limit. Each snapshot is validated alone; the good ones are stored in one transaction and decided in input order exactly as if sent one by one. 200 when every snapshot went through, 207 when some did not.',
    parameters: [
      ...ingestQueryParams,
      idempotencyKey,
    ],
    body: { schema: SCHEMA_IDS.metricsBatch, required: true, ndjsonItem: SCHEMA_IDS.snapshot },
    responses: [
      { status: 200, description: 'Every snapshot stored and evaluated.', schema: batchIngestResultSchema, headers: ['Idempotent-Replayed'] },
      { status: 207, description: 'Some snapshots were refused (`{ "error": <problem> }` in their place); the others went through.', schema: batchIngestResultSchema, headers: ['Idempotent-Replayed'] },
    ],
    errors: idempotencyErrors,
    ingestLimited: true,
  },
});

export interface IngestRouterDeps {
  remediation: Pick<RemediationService, 'ingest' | 'ingestBatch'>;
  /** Idempotency-Key: a retried ingest gets its first reply again. */
  replies: IdempotentReplies;
  schemas: SchemaRegistry;
  config: Pick<AppConfig, 'actions' | 'snapshots' | 'server'>;
}

type BatchItem = { ok: true; snapshot: Snapshot } | { ok: false; error: AppError };

/** The batch's raw items: the `snapshots` array of a JSON body, or one JSON document per ndjson line. */
function rawItems(schemas: SchemaRegistry, req: Request): { value: unknown; parseError?: string; outOfRange?: ProblemDetail[] }[] {
  if (typeof req.body === 'string') {
    return req.body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          const value = JSON.parse(line) as unknown;
          // A JSON body is checked as it is parsed (app.ts); NDJSON lines are parsed here.
          const outOfRange = nonFiniteNumbers(value);
          return outOfRange.length > 0 ? { value, outOfRange } : { value };
        } catch (err) {
          return { value: undefined, parseError: (err as Error).message };
        }
      });
  }
  const body = parseBody<{ snapshots: unknown[] }>(schemas, SCHEMA_IDS.metricsBatch, req.body, 'a batch');
  return body.snapshots.map((value) => ({ value }));
}

export function createIngestRouter({ remediation, replies, schemas, config }: IngestRouterDeps): Router {
  const router = Router();

  mount(router, INGEST_ROUTES.ingestSnapshot, (req, res) => replyOnce(replies, 'ingestSnapshot', req, res, async () => {
    const query = readQuery(INGEST_ROUTES.ingestSnapshot, req);
    const decisions = query.decisions;
    const snapshot = parseSnapshot(schemas, req.body);
    const wait = query.wait || config.actions.waitForOutcome;
    const result = await remediation.ingest(snapshot, {
      requestedBy: `ingest:${snapshot.source}`,
      waitForOutcome: wait,
      decisions,
    });
    return { status: 200, json: ingestReplyJson(result) };
  }));

  // application/x-ndjson bodies arrive as text (parsed in app.ts, beside express.json).
  mount(router, INGEST_ROUTES.ingestSnapshotBatch, (req, res) => replyOnce(replies, 'ingestSnapshotBatch', req, res, async () => {
    const query = readQuery(INGEST_ROUTES.ingestSnapshotBatch, req);
    const decisions = query.decisions;
    const raw = rawItems(schemas, req);
    const max = config.snapshots.batchMaxCount;
    if (raw.length === 0 || raw.length > max) {
      throw new ValidationError(`a batch holds 1 to ${max} snapshots; this one has ${raw.length}`, [
        { pointer: '/snapshots', message: `must hold 1 to ${max} snapshots` },
      ]);
    }
    const items: BatchItem[] = raw.map(({ value, parseError, outOfRange }) => {
      if (parseError !== undefined) {
        return { ok: false, error: new ValidationError(`line is not valid JSON: ${parseError}`, [{ pointer: '', message: 'malformed JSON' }]) };
      }
      if (outOfRange !== undefined) {
        return { ok: false, error: new ValidationError(`the line holds a number out of range at ${outOfRange[0]!.pointer}`, outOfRange) };
      }
      try {
        return { ok: true, snapshot: parseSnapshot(schemas, value) };
      } catch (err) {
        if (err instanceof AppError) return { ok: false, error: err };
        throw err;
      }
    });
    const good = items.flatMap((i) => (i.ok ? [i.snapshot] : []));
    const wait = query.wait || config.actions.waitForOutcome;
    const ingested =
      good.length > 0 ? await remediation.ingestBatch(good, (s) => ({ requestedBy: `ingest:${s.source}`, waitForOutcome: wait, decisions })) : [];
    let next = 0;
    const results = items.map((i, index) =>
      i.ok ? ingestReplyJson(ingested[next++]!) : JSON.stringify({ error: problemBody(i.error, `${req.originalUrl}#/${index}`) }),
    );
    return { status: good.length === items.length ? 200 : 207, json: `{"results":[${results.join(',')}]}` };
  }));

  return router;
}
