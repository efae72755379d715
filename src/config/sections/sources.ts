import fs from 'node:fs';
import path from 'node:path';
import type { JSONSchemaType } from 'ajv';

/** One PromQL instant query of a pull source and where its answer goes in the snapshot (docs/sources.md). */
export interface PrometheusQueryConfig {
  /** Dotted path in the snapshot's metrics (`ollama.avgResponseTimeMs`); with `by`, one `*` segment takes the label value. */
  fact: string;
  query: string;
  /** A vector becomes an object keyed by this label's value. */
  by?: string;
  /** One snapshot per value of this label, whose `source` is that value. */
  splitBy?: string;
}

export interface PrometheusSourceConfig {
  /** Names the source: the snapshots' `source` (unless split) and `requestedBy: "prometheus:<name>"`. */
  name: string;
  /** Prometheus' base URL (`http://prometheus:9090`); `/api/v1/query` is appended. */
  url: string;
  intervalSeconds: number;
  timeoutMs: number;
  headers?: Record<string, string>;
  basicAuth?: { username: string; password: string };
  /** Read before every run, so a rotated token is picked up. */
  bearerTokenFile?: string;
  /** PEM bundle trusted for an https URL, instead of the system's. */
  tlsCaFile?: string;
  queries: PrometheusQueryConfig[];
}

export interface SourcesConfig {
  /** A source with no fully successful run for this long raises one alert. */
  staleAfterSeconds: number;
  /** The longest wait between attempts while a source keeps failing (the wait doubles from its interval). */
  maxBackoffSeconds: number;
  prometheus: PrometheusSourceConfig[];
}

const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const FACT_PATH = '^[A-Za-z0-9_-]{1,200}(\\.([A-Za-z0-9_-]{1,200}|\\*))*$';

const querySchema: JSONSchemaType<PrometheusQueryConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'query'],
  properties: {
    fact: { type: 'string', maxLength: 500, pattern: FACT_PATH },
    query: { type: 'string', minLength: 1, maxLength: 10_000 },
    by: { type: 'string', pattern: LABEL_NAME, nullable: true },
    splitBy: { type: 'string', pattern: LABEL_NAME, nullable: true },
  },
};

const sourceSchema: JSONSchemaType<PrometheusSourceConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'intervalSeconds', 'timeoutMs', 'queries'],
  properties: {
    // A snapshot source: printable ASCII without spaces.
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7E]+$' },
    url: { type: 'string', pattern: '^https?://[^\\s]+$' },
    intervalSeconds: { type: 'number', minimum: 1, maximum: 86_400 },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
    headers: {
      type: 'object',
      required: [],
      nullable: true,
      propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
      additionalProperties: { type: 'string' },
    },
    basicAuth: {
      type: 'object',
      additionalProperties: false,
      nullable: true,
      required: ['username', 'password'],
      properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string' } },
    },
    bearerTokenFile: { type: 'string', minLength: 1, nullable: true },
    tlsCaFile: { type: 'string', minLength: 1, nullable: true },
    queries: { type: 'array', minItems: 1, maxItems: 200, items: querySchema },
  },
};

export const sourcesConfigSchema: JSONSchemaType<SourcesConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['staleAfterSeconds', 'maxBackoffSeconds', 'prometheus'],
  properties: {
    staleAfterSeconds: { type: 'number', exclusiveMinimum: 0 },
    maxBackoffSeconds: { type: 'number', minimum: 1 },
    prometheus: { type: 'array', maxItems: 100, items: sourceSchema },
  },
};

/**
 * What the schema cannot say: unique names, `by` and `splitBy` not together, a `*` in a fact only
 * with `by`, a timeout inside the interval, and credential files that exist. Relative file paths
 * are resolved against `cwd` here (in place), as the other paths of the configuration are.
 */
export function sourcesConfigProblem(sources: SourcesConfig, cwd: string): { key: string; message: string } | null {
  const seen = new Set<string>();
  for (const [i, source] of sources.prometheus.entries()) {
    const at = `sources.prometheus.${i}`;
    if (seen.has(source.name)) return { key: `${at}.name`, message: `"${source.name}" names another source already` };
    seen.add(source.name);
    if (source.timeoutMs > source.intervalSeconds * 1000) {
      return { key: `${at}.timeoutMs`, message: `must not exceed the interval (${source.intervalSeconds * 1000} ms)` };
    }
    if (source.basicAuth && (source.bearerTokenFile || source.headers?.authorization || source.headers?.Authorization)) {
      return { key: `${at}.basicAuth`, message: 'only one of basicAuth, bearerTokenFile and an Authorization header' };
    }
    for (const key of ['bearerTokenFile', 'tlsCaFile'] as const) {
      const file = source[key];
      if (file === undefined) continue;
      const resolved = path.resolve(cwd, file);
      try {
        fs.accessSync(resolved, fs.constants.R_OK);
      } catch {
        return { key: `${at}.${key}`, message: `cannot read ${resolved}` };
      }
      source[key] = resolved;
    }
    for (const [j, query] of source.queries.entries()) {
      const q = `${at}.queries.${j}`;
      if (query.by !== undefined && query.splitBy !== undefined) return { key: `${q}.by`, message: 'by and splitBy cannot be used together' };
      const stars = query.fact.split('.').filter((s) => s === '*').length;
      if (stars > 0 && query.by === undefined) return { key: `${q}.fact`, message: 'a "*" segment takes the value of the label named by "by"' };
      if (stars > 1) return { key: `${q}.fact`, message: 'at most one "*" segment' };
    }
  }
  return null;
}
