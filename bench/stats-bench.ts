import { randomUUID } from 'node:crypto';
import { ManualClock } from '../src/clock';
import type { ActionOutcome, ActionRecord, ActionStatus } from '../src/domain/action';
import { ACTION_TYPES } from '../src/domain/rule';
import { StatsService, type StatsWindow } from '../src/history/stats';
import type { Store } from '../src/store/store';
import { benchStoreTargets } from './bench-stores';
import { seededRandom } from './stats';

export interface StatsBenchResult {
  store: 'sqlite' | 'mongo';
  actions: number;
  rules: number;
  seedMs: number;
  windows: Array<{ window: StatsWindow; actionsInWindow: number; runs: number; medianMs: number; maxMs: number }>;
}

const DAY = 86_400_000;
const NOW = new Date('2026-03-31T12:00:00Z');

/** 100,000 actions over 30 days: 40 rules, every type, a realistic mix of statuses and outcomes. */
function* generateActions(count: number, rules: number): Generator<ActionRecord> {
  const random = seededRandom(7);
  for (let i = 0; i < count; i += 1) {
    const createdAt = new Date(NOW.getTime() - random() * 30 * DAY);
    const r = Math.floor(random() * rules);
    const type = ACTION_TYPES[r % ACTION_TYPES.length]!;
    const roll = random();
    const status: ActionStatus = roll < 0.7 ? 'succeeded' : roll < 0.8 ? 'failed' : roll < 0.9 ? 'rejected' : 'expired';
    const gated = status === 'rejected' || status === 'expired' || random() < 0.2;
    const startedAt = status === 'succeeded' || status === 'failed' ? new Date(createdAt.getTime() + (gated ? 60_000 : 0)) : null;
    const finishedAt = startedAt ? new Date(startedAt.getTime() + 2_000) : null;
    const o = random();
    const outcome: ActionOutcome | undefined = status !== 'succeeded' ? undefined : o < 0.6 ? 'effective' : o < 0.85 ? 'ineffective' : 'unknown';
    yield {
      id: randomUUID(),
      rule: `rule-${r}`,
      type,
      params: {},
      severity: 'warning',
      status,
      requestedBy: 'ingest:bench',
      snapshotId: null,
      snapshot: null,
      matchedFacts: {},
      createdAt,
      updatedAt: createdAt,
      expiresAt: null,
      decidedBy: gated && status !== 'expired' ? 'ann' : null,
      decidedAt: gated && status !== 'expired' ? new Date(createdAt.getTime() + 60_000) : null,
      decisionComment: null,
      startedAt,
      finishedAt,
      result: null,
      error: null,
      ...(outcome ? { outcome, outcomeAt: finishedAt, recoveredAt: outcome === 'effective' ? new Date(finishedAt!.getTime() + random() * 300_000) : null } : {}),
    };
  }
}

async function seed(store: Store, count: number, rules: number): Promise<number> {
  const started = Date.now();
  let batch: Promise<unknown>[] = [];
  for (const action of generateActions(count, rules)) {
    // A cooldown that has already ended: the dispatch writes the action and claims nothing.
    batch.push(store.dispatchAction(action, action.createdAt, NOW));
    if (batch.length === 200) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return Date.now() - started;
}

/** GET /api/self-healing/stats as the service computes it, for each window, on a store of `count` actions. */
export async function runStatsBench(
  options: { count: number; rules: number; runs: number; mongoUri?: string },
  log: (s: string) => void,
): Promise<StatsBenchResult[]> {
  const results: StatsBenchResult[] = [];
  const targets = benchStoreTargets('stats', options.mongoUri);
  for (const target of targets) {
    const { store, cleanup } = await target.open();
    try {
      log(`  ${target.name}: seeding ${options.count.toLocaleString('en-US')} actions ...`);
      const seedMs = await seed(store, options.count, options.rules);
      const stats = new StatsService({ store, clock: new ManualClock(NOW.toISOString()) });
      const windows: StatsBenchResult['windows'] = [];
      for (const window of ['24h', '7d', '30d'] as const) {
        const times: number[] = [];
        let inWindow = 0;
        for (let i = 0; i < options.runs; i += 1) {
          const t0 = process.hrtime.bigint();
          const result = await stats.compute(window);
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          inWindow = result.totals.dispatched + result.totals.reverted;
        }
        times.sort((a, b) => a - b);
        windows.push({
          window,
          actionsInWindow: inWindow,
          runs: options.runs,
          medianMs: Math.round(times[Math.floor(times.length / 2)]! * 10) / 10,
          maxMs: Math.round(times[times.length - 1]! * 10) / 10,
        });
      }
      results.push({ store: target.name, actions: options.count, rules: options.rules, seedMs, windows });
    } finally {
      await cleanup();
    }
  }
  return results;
}
