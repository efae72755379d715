import { seededRandom } from './stats';

/**
 * Synthetic but realistic workloads: rules in the shipped file's format over about fifty fact
 * names (scalars, objects read through a JSONPath, status strings and lists), and snapshots whose
 * values are mostly healthy with occasional anomalies, so that a few rules match each time.
 */

type Rand = () => number;

type FactSpec =
  | { kind: 'number'; name: string; max: number }
  | { kind: 'object'; name: string; fields: { path: string; max: number }[] }
  | { kind: 'string'; name: string; values: string[] }
  | { kind: 'list'; name: string; values: string[] };

const STATUSES = ['online', 'online', 'online', 'launching', 'errored', 'stopped'];
const INCIDENTS = ['db', 'network', 'gpu', 'disk', 'dns', 'cert', 'quota', 'auth'];

/** 50 facts: 24 scalars, 16 objects (2-3 fields each), 5 status strings, 5 lists. */
export function factCatalogue(): FactSpec[] {
  const scalars = [
    'cpuPercent', 'memoryPercent', 'diskPercent', 'errorRate', 'costPerHour', 'tokensPerMinute',
    'requestsPerSecond', 'p95LatencyMs', 'p99LatencyMs', 'openConnections', 'gcPauseMs', 'heapUsedMb',
    'eventLoopLagMs', 'cacheHitRate', 'retryRate', 'timeoutRate', 'queueDepth', 'activeSessions',
    'promptTokensAvg', 'completionTokensAvg', 'gpuUtilPercent', 'gpuMemoryPercent', 'swapPercent', 'inodePercent',
  ];
  const objects = [
    'ollama', 'ollamaSecondary', 'rag', 'queue', 'gateway', 'embedder', 'vectorDb', 'reranker',
    'postgres', 'redis', 'n8n', 'webhook', 'scheduler', 'ingestor', 'moderation', 'billing',
  ];
  const objectFields = [
    { path: '$.avgResponseTimeMs', max: 10000 },
    { path: '$.errorRate', max: 1 },
    { path: '$.p95LatencyMs', max: 5000 },
    { path: '$.waiting', max: 1000 },
    { path: '$.stats.saturation', max: 1 },
  ];
  const strings = ['agentxStatus', 'ragStatus', 'workerStatus', 'routerCurrent', 'deployStage'];
  const lists = ['activeIncidents', 'degradedRegions', 'failingChecks', 'openAlerts', 'featureFlags'];
  const catalogue: FactSpec[] = [];
  scalars.forEach((name, i) => catalogue.push({ kind: 'number', name, max: [100, 1000, 10000, 1][i % 4]! }));
  objects.forEach((name, i) =>
    catalogue.push({ kind: 'object', name, fields: objectFields.filter((_, j) => (i + j) % 5 < 3) }),
  );
  for (const name of strings) catalogue.push({ kind: 'string', name, values: STATUSES });
  for (const name of lists) catalogue.push({ kind: 'list', name, values: INCIDENTS });
  return catalogue;
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function round(n: number, max: number): number {
  return max <= 1 ? Math.round(n * 1000) / 1000 : Math.round(n);
}

/** A mostly healthy value in [0, max]: low most of the time, high now and then. */
function healthyOrNot(rand: Rand, max: number): number {
  const anomalous = rand() < 0.1;
  return round(anomalous ? max * (0.7 + 0.3 * rand()) : max * 0.6 * rand(), max);
}

/**
 * An "alarm": true only when a metric is out of bounds (too high, too low, a bad status, a listed
 * incident). These are what rules fire on, so they rarely hold on a snapshot.
 */
function alarm(rand: Rand, facts: FactSpec[]): Record<string, unknown> {
  const fact = pick(rand, facts);
  switch (fact.kind) {
    case 'number':
    case 'object': {
      const field = fact.kind === 'object' ? pick(rand, fact.fields) : { path: undefined, max: fact.max };
      // Mostly "too high" thresholds like the shipped rules, some "too low".
      const [operator, value] =
        rand() < 0.75
          ? [pick(rand, ['greaterThan', 'greaterThanInclusive']), round(field.max * (0.65 + 0.3 * rand()), field.max)]
          : [pick(rand, ['lessThan', 'lessThanInclusive']), round(field.max * (0.005 + 0.02 * rand()), field.max)];
      const condition: Record<string, unknown> = { fact: fact.name, operator, value };
      if (field.path) condition.path = field.path;
      return condition;
    }
    case 'string':
      return rand() < 0.7
        ? { fact: fact.name, operator: 'in', value: ['errored', 'stopped'] }
        : { fact: fact.name, operator: 'equal', value: pick(rand, ['errored', 'stopped']) };
    case 'list':
      return { fact: fact.name, operator: 'contains', value: pick(rand, fact.values) };
  }
}

/** A "guard": usually true (a status not bad, an incident not listed, a metric not too high). */
function guard(rand: Rand, facts: FactSpec[]): Record<string, unknown> {
  const r = rand();
  if (r < 0.4) return { not: alarm(rand, facts) };
  const fact = pick(rand, facts.filter((f) => f.kind !== 'number' && f.kind !== 'object'));
  if (fact.kind === 'list') return { fact: fact.name, operator: 'doesNotContain', value: pick(rand, fact.values) };
  return r < 0.7
    ? { fact: fact.name, operator: 'notIn', value: ['errored', 'stopped'] }
    : { fact: fact.name, operator: 'notEqual', value: 'stopped' };
}

/** `all`: one to three alarms, a nested `any` now and then, and maybe a guard. */
function allGroup(rand: Rand, facts: FactSpec[], depth: number): Record<string, unknown> {
  const all = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
    depth < 2 && rand() < 0.2 ? anyGroup(rand, facts, depth + 1) : alarm(rand, facts),
  );
  if (rand() < 0.4) all.push(guard(rand, facts));
  return { all };
}

/** `any`: two to four alarms, a nested `all` now and then. */
function anyGroup(rand: Rand, facts: FactSpec[], depth: number): Record<string, unknown> {
  return {
    any: Array.from({ length: 2 + Math.floor(rand() * 3) }, () =>
      depth < 2 && rand() < 0.2 ? allGroup(rand, facts, depth + 1) : alarm(rand, facts),
    ),
  };
}

function group(rand: Rand, facts: FactSpec[], depth: number): Record<string, unknown> {
  const r = rand();
  if (r < 0.55) return allGroup(rand, facts, depth);
  if (r < 0.9) return anyGroup(rand, facts, depth);
  // A top-level `not` of a guard: "not (status not bad)", i.e. an alarm written the other way.
  return { not: guard(rand, facts) };
}

function action(rand: Rand, i: number): Record<string, unknown> {
  const r = rand();
  if (r < 0.6) return { type: 'alert_only', params: { message: `generated alert ${i}` } };
  if (r < 0.85) {
    return { type: 'throttle', params: { factor: pick(rand, [0.5, 0.6, 0.75]), durationMinutes: pick(rand, [10, 15, 30]) } };
  }
  if (r < 0.9) return { type: 'model_failover', params: { target: 'secondary' } };
  if (r < 0.95) return { type: 'prompt_rollback', params: { prompt: pick(rand, ['main', 'summary', 'router']) } };
  return { type: 'service_restart', params: { service: pick(rand, ['agentx', 'rag']) } };
}

/** A rules document `{ rules: [...] }` with `count` rules, deterministic for a given seed. */
export function generateRulesDocument(count: number, seed = 1): { rules: Record<string, unknown>[] } {
  const rand = seededRandom(seed);
  const facts = factCatalogue();
  const rules = Array.from({ length: count }, (_, i) => ({
    name: `generated-rule-${String(i).padStart(4, '0')}`,
    description: `Generated rule ${i} for the benchmark.`,
    enabled: rand() < 0.95,
    priority: 1 + Math.floor(rand() * 100),
    severity: pick(rand, ['critical', 'warning', 'info']),
    conditions: group(rand, facts, 1),
    action: action(rand, i),
    cooldownMinutes: pick(rand, [5, 10, 15, 30, 60]),
  }));
  return { rules };
}

/** Metric snapshots' `metrics` over the generated fact catalogue; each leaves out about 20 % of facts. */
export function generateSnapshots(count: number, seed = 2): Record<string, unknown>[] {
  const rand = seededRandom(seed);
  const facts = factCatalogue();
  return Array.from({ length: count }, () => {
    const metrics: Record<string, unknown> = {};
    for (const fact of facts) {
      if (rand() < 0.2) continue;
      switch (fact.kind) {
        case 'number':
          metrics[fact.name] = healthyOrNot(rand, fact.max);
          break;
        case 'object': {
          const value: Record<string, unknown> = {};
          for (const field of fact.fields) {
            const v = healthyOrNot(rand, field.max);
            if (field.path === '$.stats.saturation') value.stats = { saturation: v };
            else value[field.path.slice(2)] = v;
          }
          metrics[fact.name] = value;
          break;
        }
        case 'string':
          metrics[fact.name] = rand() < 0.85 ? 'online' : pick(rand, fact.values);
          break;
        case 'list':
          metrics[fact.name] = fact.values.filter(() => rand() < 0.08);
          break;
      }
    }
    return metrics;
  });
}

/**
 * Snapshots' `metrics` for the shipped rules file: the metrics product.md describes, mostly healthy,
 * each out of bounds now and then, plus a few metrics no rule reads (real snapshots carry more).
 */
export function shippedRuleSnapshots(count: number, seed = 3): Record<string, unknown>[] {
  const rand = seededRandom(seed);
  const bad = (p = 0.08) => rand() < p;
  const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
  return Array.from({ length: count }, () => ({
    ollama: {
      avgResponseTimeMs: Math.round(bad() ? between(5000, 12000) : between(300, 4000)),
      errorRate: Math.round((bad(0.04) ? between(0.25, 0.6) : between(0, 0.05)) * 1000) / 1000,
    },
    errorRate: Math.round((bad() ? between(0.05, 0.2) : between(0, 0.04)) * 1000) / 1000,
    costPerHour: Math.round((bad() ? between(5, 9) : between(0.5, 4)) * 100) / 100,
    memoryPercent: Math.round(bad() ? between(86, 99) : between(30, 80)),
    diskPercent: Math.round(bad() ? between(90, 99) : between(20, 85)),
    prompts: { main: { qualityScore: Math.round((bad() ? between(0.4, 0.7) : between(0.75, 0.98)) * 100) / 100 } },
    services: { agentx: { status: bad(0.03) ? 'errored' : 'online' }, rag: { status: 'online' } },
    router: { current: bad(0.1) ? 'secondary' : 'primary' },
    rag: { p95LatencyMs: Math.round(bad() ? between(2000, 5000) : between(100, 1500)) },
    queue: { waiting: Math.round(bad() ? between(500, 2000) : between(0, 300)) },
    tokensPerMinute: Math.round(bad(0.05) ? between(200000, 400000) : between(5000, 150000)),
    requestsPerSecond: Math.round(between(5, 200)),
    cpuPercent: Math.round(between(5, 90)),
    uptimeSeconds: Math.round(between(60, 1e6)),
  }));
}
