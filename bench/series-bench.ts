import { randomUUID } from 'node:crypto';
import { ManualClock } from '../src/clock';
import type { StoredSnapshot } from '../src/domain/snapshot';
import { SnapshotHistory } from '../src/history/snapshot-history';
import type { Store } from '../src/store/store';
import { benchStoreTargets } from './bench-stores';
import { seededRandom } from './stats';

export interface SeriesBenchResult {
  store: 'sqlite' | 'mongo';
  /** Snapshots stored, of which `perSource` from the charted source. */
  snapshots: number;
  perSource: number;
  seedMs: number;
  spans: Array<{ span: string; samples: number; points: number; runs: number; medianMs: number; maxMs: number }>;
}

const NOW = new Date('2026-03-08T12:00:00Z');
const WEEK = 7 * 86_400_000;
const SPANS: Array<[string, number]> = [['1h', 3_600_000], ['24h', 86_400_000], ['7d', WEEK]];

/**
 * A full retention store: `count` snapshots over the retention's 7 days, split over `sources`
 * sources, each with a dozen metrics (nested ones included) like the shipped rules read.
 */
function* generate(count: number, sources: number): Generator<StoredSnapshot> {
  const random = seededRandom(11);
  for (let i = 0; i < count; i += 1) {
    const receivedAt = new Date(NOW.getTime() - WEEK + Math.floor((i / count) * WEEK));
    yield {
      id: randomUUID(),
      source: `app-${i % sources}`,
      timestamp: receivedAt.toISOString(),
      receivedAt,
      metrics: {
        errorRate: random() * 0.1,
        costPerHour: 2 + random(),
        memoryPercent: 50 + random() * 40,
        diskPercent: 60 + random() * 30,
        queue: { waiting: Math.floor(random() * 2000), active: Math.floor(random() * 50) },
        ollama: { avgResponseTimeMs: 500 + random() * 6000, errorRate: random() * 0.05, host: 'http://ollama-primary:11434' },
        prompts: { main: { qualityScore: 0.5 + random() * 0.5 } },
        services: { agentx: { status: 'online', restarts: Math.floor(random() * 3) } },
      },
    };
  }
}

async function seed(store: Store, count: number, sources: number): Promise<number> {
  const started = Date.now();
  let batch: StoredSnapshot[] = [];
  for (const s of generate(count, sources)) {
    batch.push(s);
    if (batch.length === 1000) {
      await store.insertSnapshots(batch);
      batch = [];
    }
  }
  await store.insertSnapshots(batch);
  return Date.now() - started;
}

/** GET /api/self-healing/series as the service computes it (store read + downsampling), per span. */
export async function runSeriesBench(
  options: { count: number; sources: number; runs: number; mongoUri?: string },
  log: (s: string) => void,
): Promise<SeriesBenchResult[]> {
  const results: SeriesBenchResult[] = [];
  const targets = benchStoreTargets('series', options.mongoUri);
  for (const target of targets) {
    const { store, cleanup } = await target.open();
    try {
      log(`  ${target.name}: seeding ${options.count.toLocaleString('en-US')} snapshots from ${options.sources} source(s) ...`);
      const seedMs = await seed(store, options.count, options.sources);
      const history = new SnapshotHistory(store, new ManualClock(NOW.toISOString()));
      const spans: SeriesBenchResult['spans'] = [];
      for (const [span, ms] of SPANS) {
        const times: number[] = [];
        let samples = 0;
        let points = 0;
        for (let i = 0; i < options.runs; i += 1) {
          const t0 = process.hrtime.bigint();
          const reply = await history.series({ source: 'app-0', fact: 'ollama.avgResponseTimeMs', from: new Date(NOW.getTime() - ms), to: NOW });
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          samples = reply.samples;
          points = reply.points.length;
        }
        times.sort((a, b) => a - b);
        spans.push({
          span,
          samples,
          points,
          runs: options.runs,
          medianMs: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10,
          maxMs: Math.round(times[times.length - 1]! * 10) / 10,
        });
      }
      results.push({ store: target.name, snapshots: options.count, perSource: Math.ceil(options.count / options.sources), seedMs, spans });
    } finally {
      await cleanup();
    }
  }
  return results;
}
