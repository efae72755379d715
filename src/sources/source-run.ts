import { performance } from 'node:perf_hooks';
import type { PrometheusQueryConfig, PrometheusSourceConfig } from '../config/sections/sources';
import type { SourceFailureReason } from '../domain/observers';
import type { Snapshot } from '../domain/snapshot';
import { queryInstant, SourceQueryError } from './prometheus-client';
import { type FactValue, queryFacts } from './query-facts';

/** What one query of a run gave. */
export interface QueryOutcome {
  fact: string;
  query: string;
  durationMs: number;
  /** Numbers placed in the snapshot(s). */
  values: number;
  /** NaN, ±Inf, or a series without the `by`/`splitBy` label: left out. */
  leftOut: number;
  error: { reason: SourceFailureReason; message: string } | null;
}

export interface SourceRun {
  source: string;
  at: Date;
  durationMs: number;
  queries: QueryOutcome[];
  /** The snapshots the run makes: one with the source's name, one per `splitBy` value; none without facts. */
  snapshots: Snapshot[];
}

/** A label value made fit for a snapshot source (printable ASCII, no spaces, at most 128 characters). */
export function splitSource(value: string): string {
  return value.replace(/[^\x21-\x7E]/g, '_').slice(0, 128);
}

/** Sets `value` at `path`; false when a number of another query already sits on the way. */
function setPath(target: Record<string, unknown>, path: string[], value: number): boolean {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null) return false;
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (typeof node[last] === 'object' && node[last] !== null) return false;
  node[last] = value;
  return true;
}

async function runQuery(source: PrometheusSourceConfig, query: PrometheusQueryConfig): Promise<{ outcome: QueryOutcome; values: FactValue[] }> {
  const started = performance.now();
  const outcome: QueryOutcome = { fact: query.fact, query: query.query, durationMs: 0, values: 0, leftOut: 0, error: null };
  let values: FactValue[] = [];
  try {
    const facts = queryFacts(query, await queryInstant(source, query.query));
    values = facts.values;
    outcome.leftOut = facts.leftOut;
  } catch (err) {
    outcome.error =
      err instanceof SourceQueryError ? { reason: err.reason, message: err.message } : { reason: 'bad_result', message: (err as Error).message };
  }
  outcome.durationMs = Math.round((performance.now() - started) * 10) / 10;
  return { outcome, values };
}

/**
 * Runs every query of a source once, all at once and each under the source's timeout, and builds the
 * snapshots they give. A query that fails is reported on its own; the others' facts still count.
 */
export async function runSource(source: PrometheusSourceConfig, at: Date): Promise<SourceRun> {
  const started = performance.now();
  const results = await Promise.all(source.queries.map((q) => runQuery(source, q)));
  const bySource = new Map<string, Record<string, unknown>>();
  for (const { outcome, values } of results) {
    for (const v of values) {
      const name = v.split === undefined ? source.name : splitSource(v.split);
      const metrics = bySource.get(name) ?? {};
      if (setPath(metrics, v.path, v.value)) {
        outcome.values++;
        bySource.set(name, metrics);
      } else if (outcome.error === null) {
        outcome.error = { reason: 'bad_result', message: `${v.path.join('.')} collides with another query's fact` };
      }
    }
  }
  const timestamp = at.toISOString();
  const snapshots = [...bySource].map(([name, metrics]) => ({ source: name, timestamp, metrics }));
  return {
    source: source.name,
    at,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    queries: results.map((r) => r.outcome),
    snapshots,
  };
}
