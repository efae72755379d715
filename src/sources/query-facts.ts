import type { PrometheusQueryConfig } from '../config/sections/sources';
import { type InstantResult, SourceQueryError } from './prometheus-client';

/** One number a query gave: where it goes in the metrics, and for `splitBy` which snapshot. */
export interface FactValue {
  /** Keys from the metrics' top down (`['services', 'agentx', 'errorRate']`). */
  path: string[];
  value: number;
  /** The `splitBy` label's value: the source of the snapshot this value belongs to. */
  split?: string;
}

export interface QueryFacts {
  values: FactValue[];
  /** Series (or a scalar) whose value was NaN or ±Inf, or that lacked the label: left out. */
  leftOut: number;
}

/** A metrics key longer than this would get the whole snapshot refused (snapshot-input.ts). */
const MAX_KEY = 200;

/** Prometheus writes NaN, +Inf and -Inf as those strings; anything not finite is left out. */
function finite(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function factPath(fact: string, labelValue?: string): string[] {
  const parts = fact.split('.');
  if (labelValue === undefined) return parts;
  const star = parts.indexOf('*');
  if (star === -1) return [...parts, labelValue];
  parts[star] = labelValue;
  return parts;
}

/**
 * Turns an instant query's answer into numbers at the query's fact: a scalar or a one-series vector
 * gives one number; `by` keys the vector's numbers by a label; `splitBy` marks each for the snapshot
 * of its label's value. An empty vector gives nothing (a missing fact, as a rule engine reads it).
 * Answers that cannot be read that way (several series without `by`, a range vector, a string, two
 * series with one label value) are errors of this query alone.
 */
export function queryFacts(query: PrometheusQueryConfig, data: InstantResult): QueryFacts {
  const label = query.by ?? query.splitBy;
  if (data.resultType === 'scalar') {
    if (label !== undefined) throw new SourceQueryError('bad_result', `a scalar has no label "${label}"; drop by/splitBy or return a vector`);
    const value = finite(data.result[1]);
    return value === undefined ? { values: [], leftOut: 1 } : { values: [{ path: factPath(query.fact), value }], leftOut: 0 };
  }
  if (data.resultType !== 'vector') {
    throw new SourceQueryError('bad_result', `a ${data.resultType} result cannot be a fact; write an instant vector or scalar query`);
  }
  const series = data.result;
  if (label === undefined) {
    if (series.length === 0) return { values: [], leftOut: 0 };
    if (series.length > 1) {
      throw new SourceQueryError('bad_result', `${series.length} series; aggregate them (e.g. max(...)) or name a label with by or splitBy`);
    }
    const value = finite(series[0]!.value[1]);
    return value === undefined ? { values: [], leftOut: 1 } : { values: [{ path: factPath(query.fact), value }], leftOut: 0 };
  }
  const values: FactValue[] = [];
  const seen = new Set<string>();
  let leftOut = 0;
  for (const s of series) {
    const key = s.metric[label];
    const value = finite(s.value[1]);
    if (key === undefined || key === '' || key.length > MAX_KEY || value === undefined) {
      leftOut++;
      continue;
    }
    if (seen.has(key)) throw new SourceQueryError('bad_result', `several series have ${label}="${key}"; aggregate them by ${label}`);
    seen.add(key);
    values.push(query.splitBy !== undefined ? { path: factPath(query.fact), value, split: key } : { path: factPath(query.fact, key), value });
  }
  return { values, leftOut };
}
