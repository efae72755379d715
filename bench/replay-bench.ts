import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../src/clock';
import { approvalRequired } from '../src/engine/decide';
import { Evaluator } from '../src/engine/evaluate';
import { ReplayService } from '../src/replay/replay-service';
import { candidateRuleset } from '../src/rules/candidate-ruleset';
import { createSchemaRegistry } from '../src/schemas/registry';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { approvalDefaultsMap } from '../src/strategies/action-specs';
import { shippedRuleSnapshots } from './generate-rules';
import { closedLoopFacts } from '../src/strategies/closed-loop-facts';
import { loadConfig } from '../src/config/load-config';

export interface ReplayBenchResult {
  snapshots: number;
  sources: number;
  /** Wall time of the replay (the figure the target is about). */
  seconds: number;
  snapshotsPerSec: number;
  /** Wall time to store the snapshots first (not part of the replay). */
  loadSeconds: number;
  timelineEntries: number;
  summary: unknown;
  withCompare: { seconds: number; snapshotsPerSec: number; diffRows: number };
}

/**
 * (c) Replay of stored history: `count` snapshots (the shipped-rules mix, one every 10 s from 4
 * sources) in a SQLite file, replayed by the service's ReplayService with the shipped rules, then
 * again with a candidate file and `compareTo: "current"` (two pipelines over one scan).
 */
export async function runReplayBench(options: { projectRoot: string; count: number }, log: (s: string) => void): Promise<ReplayBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-bench-replay-'));
  const store = new SqliteStore({ path: path.join(dir, 'bench.db') });
  try {
    await store.init();
    const start = new Date('2026-01-01T00:00:00Z').getTime();
    const metrics = shippedRuleSnapshots(5000);
    const loadStarted = performance.now();
    const batch: Promise<void>[] = [];
    for (let i = 0; i < options.count; i++) {
      const at = new Date(start + i * 10_000);
      batch.push(store.insertSnapshot({ id: `s${String(i).padStart(7, '0')}`, source: `app-${i % 4}`, timestamp: at.toISOString(), receivedAt: at, metrics: metrics[i % metrics.length]! }));
      if (batch.length === 5000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`stored ${options.count.toLocaleString('en-US')} snapshots in ${loadSeconds.toFixed(1)} s`);

    const schemas = createSchemaRegistry();
    const doc = JSON.parse(fs.readFileSync(path.join(options.projectRoot, 'config', 'self-healing-rules.json'), 'utf8')) as { rules: Record<string, unknown>[] };
    const current = candidateRuleset(schemas, doc, new Date());
    if (!current.ok) throw new Error('the shipped rules file is invalid');
    const defaults = approvalDefaultsMap();
    const replay = new ReplayService({
      store,
      currentRules: () => current.ruleset,
      evaluator: new Evaluator(),
      schemas,
      clock: new ManualClock(new Date(start + options.count * 10_000)),
      requiresApproval: (r) => approvalRequired(r, defaults),
      approvalTimeoutMinutes: 60,
      closedLoop: closedLoopFacts(loadConfig()),
    });

    let t0 = performance.now();
    const result = await replay.replay({ limit: 100 });
    const seconds = (performance.now() - t0) / 1000;
    if (result.snapshots !== options.count) throw new Error(`replayed ${result.snapshots}, expected ${options.count}`);
    log(`replayed ${result.snapshots.toLocaleString('en-US')} in ${seconds.toFixed(2)} s (${Math.round(result.snapshots / seconds).toLocaleString('en-US')} snapshots/s)`);

    const candidate = structuredClone(doc);
    for (const r of candidate.rules) if (typeof r.cooldownMinutes === 'number') r.cooldownMinutes = r.cooldownMinutes / 2;
    t0 = performance.now();
    const compared = await replay.replay({ rules: candidate, compareTo: 'current', limit: 100 });
    const compareSeconds = (performance.now() - t0) / 1000;
    log(`with a candidate and compareTo: ${compareSeconds.toFixed(2)} s (${(compared.diff ?? []).length} rules differ)`);
    const timelineEntries = result.summary.reduce((n, row) => n + Object.entries(row).filter(([k]) => k !== 'rule').reduce((m, [, v]) => m + (v as number), 0), 0);
    return {
      snapshots: result.snapshots,
      sources: 4,
      seconds,
      snapshotsPerSec: result.snapshots / seconds,
      loadSeconds,
      timelineEntries,
      summary: result.summary,
      withCompare: { seconds: compareSeconds, snapshotsPerSec: compared.snapshots / compareSeconds, diffRows: (compared.diff ?? []).length },
    };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
