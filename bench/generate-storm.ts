import { seededRandom } from './stats';

/**
 * The incident-storm workload: rules as people write them from docs/rules.md — over ten facts,
 * with paths that index arrays (`$.hosts[0].latencyMs`) and quote names (`$['api gateway'].status`),
 * operator decorators (`someFact:`, `everyFact:`, `someValue:`, `not:`) and values that refer to
 * other facts (`{ "fact": "limits", "path": "$.maxLatencyMs" }`) — and snapshots of an incident, in
 * which about half the rules match.
 */

type Rand = () => number;
type Leaf = Record<string, unknown>;

const HOSTS = 4;
const SERVICES = ['api gateway', 'rag.worker', 'embedder', 'vector-db'];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'];
const STAGES = ['canary', 'rollout', 'steady'];

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** Between lo and hi. */
function between(rand: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** One condition; thresholds are spread so that, on a storm snapshot, a condition holds about two times in three. */
function leaf(rand: Rand): Leaf {
  const host = Math.floor(rand() * HOSTS);
  switch (Math.floor(rand() * 12)) {
    case 0:
      return { fact: 'cluster', path: `$.hosts[${host}].latencyMs`, operator: 'greaterThan', value: Math.round(between(rand, 400, 1800)) };
    case 1:
      return { fact: 'cluster', path: `$.hosts[${host}].up`, operator: 'equal', value: false };
    case 2:
      return { fact: 'latenciesMs', operator: 'someFact:greaterThan', value: Math.round(between(rand, 900, 2400)) };
    case 3:
      return { fact: 'latenciesMs', operator: 'everyFact:greaterThan', value: Math.round(between(rand, 100, 700)) };
    case 4:
      return { fact: 'queue', path: '$.waiting', operator: 'greaterThan', value: { fact: 'limits', path: '$.maxQueue' } };
    case 5:
      return { fact: 'cluster', path: `$.hosts[${host}].latencyMs`, operator: 'greaterThan', value: { fact: 'limits', path: '$.maxLatencyMs' } };
    case 6:
      return { fact: 'services', path: `$['${pick(rand, SERVICES)}'].status`, operator: 'in', value: ['degraded', 'down'] };
    case 7:
      return { fact: 'regions', operator: 'someValue:contains', value: [pick(rand, REGIONS), pick(rand, REGIONS)] };
    case 8:
      return { fact: 'errorRate', operator: 'greaterThan', value: Math.round(between(rand, 0.05, 0.3) * 1000) / 1000 };
    case 9:
      return { fact: 'cpuPercent', operator: 'greaterThanInclusive', value: Math.round(between(rand, 55, 99)) };
    case 10:
      return { fact: 'deploy', path: '$.stage', operator: 'not:equal', value: pick(rand, STAGES) };
    default:
      return { fact: 'memoryPercent', operator: 'greaterThan', value: { fact: 'limits', path: '$.memoryPercent' } };
  }
}

function conditions(rand: Rand): Record<string, unknown> {
  const r = rand();
  if (r < 0.5) return { all: Array.from({ length: 1 + Math.floor(rand() * 2) }, () => leaf(rand)) };
  if (r < 0.9) return { any: Array.from({ length: 2 + Math.floor(rand() * 2) }, () => leaf(rand)) };
  return { all: [leaf(rand), { not: leaf(rand) }] };
}

/** `count` storm rules (all alert_only, so that dispatching them writes an action and nothing more). */
export function generateStormRules(count: number, seed = 11): { rules: Record<string, unknown>[] } {
  const rand = seededRandom(seed);
  return {
    rules: Array.from({ length: count }, (_, i) => ({
      name: `storm-rule-${String(i).padStart(4, '0')}`,
      description: `Storm rule ${i} for the benchmark.`,
      priority: 1 + Math.floor(rand() * 100),
      severity: pick(rand, ['critical', 'warning', 'info']),
      conditions: conditions(rand),
      action: { type: 'alert_only', params: { message: `storm alert ${i}` } },
      cooldownMinutes: pick(rand, [15, 30, 60]),
    })),
  };
}

/** Snapshots' `metrics` during an incident: slow and failing hosts, a long queue, degraded services. */
export function generateStormSnapshots(count: number, seed = 12): Record<string, unknown>[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const hosts = Array.from({ length: HOSTS }, (_, i) => ({
      name: `web-${i + 1}`,
      latencyMs: Math.round(between(rand, 150, 1800)),
      up: rand() < 0.5,
    }));
    return {
      cluster: { name: 'prod', hosts },
      latenciesMs: hosts.map((h) => h.latencyMs),
      limits: { maxQueue: Math.round(between(rand, 100, 900)), maxLatencyMs: Math.round(between(rand, 400, 1200)), memoryPercent: 85 },
      queue: { waiting: Math.round(between(rand, 50, 1500)), oldestMs: Math.round(between(rand, 100, 60_000)) },
      services: Object.fromEntries(SERVICES.map((s) => [s, { status: pick(rand, ['ok', 'degraded', 'down']) }])),
      regions: REGIONS.filter(() => rand() < 0.5),
      errorRate: Math.round(between(rand, 0.02, 0.25) * 1000) / 1000,
      cpuPercent: Math.round(between(rand, 50, 99)),
      memoryPercent: Math.round(between(rand, 70, 99)),
      deploy: { stage: pick(rand, STAGES), version: `1.${Math.floor(rand() * 20)}.0` },
    };
  });
}
