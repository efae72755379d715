import type { PrometheusSourceConfig } from '../config/sections/sources';
import type { PrometheusCheck } from '../domain/action';
import { queryInstant } from './prometheus-client';
import { queryFacts } from './query-facts';

/** What a verification's Prometheus check got: a number, or why there is none. */
export type CheckAnswer = { value: number } | { error: string };

/**
 * Runs a rule's `verify.prometheus` query once against the named pull source (or the first one),
 * with that source's credentials and timeout. Like a pulled fact, the answer must be a scalar or one
 * series; NaN, ±Inf and an empty result give no number.
 */
export async function askPrometheus(sources: readonly PrometheusSourceConfig[], check: PrometheusCheck): Promise<CheckAnswer> {
  const source = check.source === undefined ? sources[0] : sources.find((s) => s.name === check.source);
  if (!source) {
    return { error: check.source === undefined ? 'no pull source is configured (sources.prometheus)' : `no pull source named "${check.source}"` };
  }
  try {
    const facts = queryFacts({ fact: 'check', query: check.query }, await queryInstant(source, check.query));
    const value = facts.values[0]?.value;
    return value === undefined ? { error: `${source.name}: the query gave no number (empty, NaN or ±Inf)` } : { value };
  } catch (err) {
    return { error: `${source.name}: ${(err as Error).message}` };
  }
}
