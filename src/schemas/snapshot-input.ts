import type { Snapshot } from '../domain/snapshot';
import { type ProblemDetail, ValidationError } from '../errors';
import { SCHEMA_IDS, type SchemaRegistry } from './registry';

export const MAX_METRICS_DEPTH = 8;
export const MAX_METRIC_KEY_LENGTH = 200;

/** Limits a schema cannot express: how deep `metrics` nests and how long its keys are. */
function checkMetricsShape(value: unknown, pointer: string, depth: number, problems: ProblemDetail[]): void {
  if (problems.length >= 20 || typeof value !== 'object' || value === null) return;
  if (depth > MAX_METRICS_DEPTH) {
    problems.push({ pointer, message: `nests deeper than ${MAX_METRICS_DEPTH} levels` });
    return;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (key.length > MAX_METRIC_KEY_LENGTH) {
      problems.push({ pointer, message: `has a key longer than ${MAX_METRIC_KEY_LENGTH} characters` });
      continue;
    }
    checkMetricsShape(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1, problems);
  }
}

/** checkMetricsShape would find nothing: the same walk without making a pointer per node. */
function shapeFits(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > MAX_METRICS_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const child of value) if (!shapeFits(child, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (key.length > MAX_METRIC_KEY_LENGTH || !shapeFits((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** Validates a metric snapshot; a 400 names every problem (pointers relative to `prefix`). */
export function parseSnapshot(schemas: SchemaRegistry, body: unknown, prefix = ''): Snapshot {
  if (body === undefined) {
    throw new ValidationError('a snapshot is required (send JSON with Content-Type: application/json)', [
      { pointer: prefix, message: 'missing body' },
    ]);
  }
  const result = schemas.validate<Snapshot>(SCHEMA_IDS.snapshot, body, prefix);
  const problems = result.ok ? [] : [...result.errors];
  const metrics = (body as { metrics?: unknown } | null)?.metrics;
  // Every snapshot is walked: the pointers are made only for one that breaks a limit.
  if (!shapeFits(metrics, 1)) checkMetricsShape(metrics, `${prefix}/metrics`, 1, problems);
  if (problems.length > 0) throw new ValidationError('snapshot is invalid', problems);
  return body as Snapshot;
}
