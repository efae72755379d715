import request from 'supertest';
import { snapshot } from './rules';
import type { TestApp } from './test-app';

/** The part of POST /api/metrics's reply the tests read. */
export interface IngestReply {
  snapshotId: string;
  decisions: { rule: string; decision: string; reason: string; actionId?: string }[];
}

/**
 * POSTs a snapshot of `metrics` from `source` (`agentx` unless told) to an in-process test app and returns the reply;
 * anything but 200 fails the test. With `wait=true`, so the actions it started have finished and
 * what the test reads next is settled. (service-client.ts `ingest` does this for a service process.)
 */
export async function ingestSnapshot(t: TestApp, metrics: Record<string, unknown>, source = 'agentx'): Promise<IngestReply> {
  const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot(metrics, source));
  expect(res.status).toBe(200);
  return res.body as IngestReply;
}

/** Ingests one snapshot per minute (the clock moves after each), so the store holds a known history; their ids. */
export async function ingestSeries(t: TestApp, series: Record<string, unknown>[], source = 'app'): Promise<string[]> {
  const ids: string[] = [];
  for (const metrics of series) {
    ids.push((await ingestSnapshot(t, metrics, source)).snapshotId);
    t.clock.advance(60_000);
  }
  return ids;
}
