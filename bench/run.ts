import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findProjectRoot } from '../src/config/project-root';
import { type CompileResult, runCompileBench } from './compile-bench';
import { type EvaluateCaseResult, type EvaluateOptions, type ModeResult, runEvaluateCase } from './evaluate-bench';
import { envNumber } from './env-number';
import { generateRulesDocument, generateSnapshots, shippedRuleSnapshots } from './generate-rules';
import { generateStormRules, generateStormSnapshots } from './generate-storm';
import { type IngestResult, runIngestBench } from './ingest-bench';
import { runStormIngest, type StormIngestResult } from './storm-ingest';
import { type ReplayBenchResult, runReplayBench } from './replay-bench';
import { runSeriesBench, type SeriesBenchResult } from './series-bench';
import { runStatsBench, type StatsBenchResult } from './stats-bench';
import type { Figures } from './stats';

/**
 * `npm run bench`: (a) evaluate+decide against bare json-rules-engine, for the shipped rules and
 * for 1,000 generated ones; (b) end-to-end ingest with autocannon against the real service on
 * SQLite. Prints tables and writes bench/results/latest.json.
 *
 * Environment knobs (defaults in brackets): BENCH_ROUND_MS [500] and BENCH_ROUNDS [6] per side and
 * mode, BENCH_WARMUP_MS [1000], BENCH_CONCURRENCY [16], BENCH_INGEST_SECONDS [10],
 * BENCH_INGEST_CONNECTIONS [10], BENCH_SKIP_INGEST=1, BENCH_SKIP_STORM_INGEST=1, BENCH_MONGODB_URI (also ingest on that
 * MongoDB server and count its commands a request), BENCH_EVALUATE_CASES [shipped,generated,storm], BENCH_SKIP_EVALUATE=1, BENCH_SKIP_STATS=1,
 * BENCH_STATS_ACTIONS [100000], BENCH_STATS_MONGODB_URI (also time the statistics on that server),
 * BENCH_SKIP_SERIES=1, BENCH_SERIES_SNAPSHOTS [10000, the default retention's maxCount],
 * BENCH_SERIES_SOURCES [1], BENCH_SERIES_MONGODB_URI (also time the series on that server), and
 * BENCH_SERVICE_NODE_ARGS (node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */

/** Speed-up of evaluate + decide over bare json-rules-engine (bare time / ours), per case. */
const TARGET_SPEEDUP: Record<string, number> = { '12 shipped rules': 50, '1,000 generated rules': 400, '1,000 storm rules': 300 };
const TARGET_COMPILE_MS = 200;
const TARGET_MEMORY_MB = 100;
const TARGET_INGEST_RPS = 2000;
const TARGET_INGEST_P99_MS = 50;
const TARGET_BATCH_SNAPSHOTS_PER_SEC = 20_000;
const TARGET_REPLAY_SECONDS = 30;
const WATCHDOG_MS = 10 * 60_000;

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** BENCH_EVALUATE_CASES: which evaluate cases to run (shipped, generated, storm; all by default). */
function evaluateCases(): Set<string> {
  const known = ['shipped', 'generated', 'storm'];
  const raw = process.env.BENCH_EVALUATE_CASES;
  if (raw === undefined || raw === '') return new Set(known);
  const asked = raw.split(',').map((c) => c.trim());
  const unknown = asked.filter((c) => !known.includes(c));
  if (unknown.length > 0) throw new Error(`BENCH_EVALUATE_CASES: unknown case ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return new Set(asked);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));

function evaluateRows(results: EvaluateCaseResult[]): string[][] {
  const rows: string[][] = [];
  const row = (c: EvaluateCaseResult, label: string, mode: ModeResult, who: 'bare' | 'ours') => {
    const f: Figures = mode[who];
    const isOurs = who === 'ours';
    rows.push([
      `${c.name}, ${label}`,
      who === 'bare' ? 'bare json-rules-engine' : c.implementation,
      fmt(f.opsPerSec),
      ms(f.p50Ms),
      ms(f.p99Ms),
      isOurs ? `${(1 / mode.ratio).toFixed(0)}x` : '',
      isOurs ? (1 / mode.ratio >= (TARGET_SPEEDUP[c.name] ?? 1) ? `ok (>= ${TARGET_SPEEDUP[c.name]}x)` : `MISSED (< ${TARGET_SPEEDUP[c.name]}x)`) : '',
    ]);
  };
  for (const c of results) {
    for (const [label, mode] of [
      ['sequential', c.sequential],
      [`${c.concurrent.concurrency} in flight`, c.concurrent],
    ] as const) {
      row(c, label, mode, 'bare');
      row(c, label, mode, 'ours');
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const root = findProjectRoot(__dirname);
  const started = new Date();
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const stoppers: (() => Promise<void>)[] = [];
  const abort = async (why: string, code: number) => {
    process.stderr.write(`bench: ${why}; stopping\n`);
    await Promise.allSettled(stoppers.map((s) => s()));
    process.exit(code);
  };
  setTimeout(() => void abort(`still running after ${WATCHDOG_MS / 60_000} minutes`, 2), WATCHDOG_MS).unref();
  process.once('SIGINT', () => void abort('interrupted', 130));
  process.once('SIGTERM', () => void abort('terminated', 143));

  const m = machine();
  log(`machine: ${m.cpuCount} x ${m.cpuModel}, ${m.totalMemoryGiB} GiB RAM, node ${m.node}, ${m.platform}`);
  log(`load average at start (1/5/15 min): ${m.loadAverage.join(' / ')}`);

  const evalOptions: EvaluateOptions = {
    roundMs: envNumber('BENCH_ROUND_MS', 500),
    rounds: envNumber('BENCH_ROUNDS', 6),
    warmupMs: envNumber('BENCH_WARMUP_MS', 1000),
    concurrency: envNumber('BENCH_CONCURRENCY', 16),
  };
  let evaluate: EvaluateCaseResult[] = [];
  if (process.env.BENCH_SKIP_EVALUATE !== '1') {
    log(`\n(a) evaluate + decide vs bare json-rules-engine ` +
      `(${evalOptions.rounds} alternating rounds of ${evalOptions.roundMs} ms per side, x3 for 1,000 rules; ${evalOptions.warmupMs} ms warm-up)`);
    const shippedDoc = JSON.parse(fs.readFileSync(path.join(root, 'config', 'self-healing-rules.json'), 'utf8')) as unknown;
    const cases = evaluateCases();
    if (cases.has('shipped')) {
      evaluate.push(
        await runEvaluateCase({ name: '12 shipped rules', doc: shippedDoc, snapshots: shippedRuleSnapshots(300) }, evalOptions, log),
      );
    }
    if (cases.has('generated')) {
      evaluate.push(
        await runEvaluateCase(
          { name: '1,000 generated rules', doc: generateRulesDocument(1000), snapshots: generateSnapshots(300), roundScale: 3 },
          evalOptions, log),
      );
    }
    if (cases.has('storm')) {
      evaluate.push(
        await runEvaluateCase(
          { name: '1,000 storm rules', doc: generateStormRules(1000), snapshots: generateStormSnapshots(100), roundScale: 3, allInCooldown: true },
          evalOptions, log),
      );
    }
    log('');
    log(table(['case', 'implementation', 'ops/s', 'p50 ms', 'p99 ms', 'speed-up', 'target'], evaluateRows(evaluate)));
  } else {
    evaluate = [];
  }

  let compile: CompileResult | null = null;
  if (process.env.BENCH_SKIP_COMPILE !== '1') {
    log('\n(c) compiling rules');
    compile = await runCompileBench(log);
    log(`compile 1,000 rules < ${TARGET_COMPILE_MS} ms: ${compile.compile1000FirstMs < TARGET_COMPILE_MS ? 'ok' : 'MISSED'} (first), ` +
      `${compile.compile1000MedianMs < TARGET_COMPILE_MS ? 'ok' : 'MISSED'} (median); 10,000 rules < ${TARGET_MEMORY_MB} MB: ` +
      `${compile.memory10000Mb === null ? 'not measured' : compile.memory10000Mb < TARGET_MEMORY_MB ? 'ok' : 'MISSED'}`);
  }
  let ingest: IngestResult | null = null;
  if (process.env.BENCH_SKIP_INGEST !== '1') {
    const durationSec = envNumber('BENCH_INGEST_SECONDS', 10);
    const connections = envNumber('BENCH_INGEST_CONNECTIONS', 10);
    log(`\n(b) end-to-end POST /api/metrics, service on SQLite, autocannon ${connections} connections x ${durationSec} s`);
    ingest = await runIngestBench(
      {
        projectRoot: root,
        durationSec,
        warmupSec: 3,
        connections,
        serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
        onStarted: (stop) => stoppers.push(stop),
        batchSize: envNumber('BENCH_BATCH_SIZE', 100),
      },
      log,
    );
    log(`\n(b') the same at 1,000 generated rules`);
    const generated = await runIngestBench(
      {
        projectRoot: root,
        durationSec,
        warmupSec: 3,
        connections,
        serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
        onStarted: (stop) => stoppers.push(stop),
        generated: { doc: generateRulesDocument(1000), metrics: generateSnapshots(1)[0]! },
      },
      log,
    );
    ingest.runs.push(...generated.runs);
    log('');
    log(
      table(
        ['run', 'req/s', 'snapshots/s', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'target', `p99 < ${TARGET_INGEST_P99_MS}`],
        ingest.runs.map((r) => [
          r.name,
          fmt(r.reqPerSec),
          fmt(r.snapshotsPerSec),
          fmt(r.totalRequests),
          String(r.p50Ms),
          String(r.p90Ms),
          String(r.p99Ms),
          String(r.maxMs),
          String(r.non2xx),
          String(r.errors + r.timeouts),
          // A run that got errors or non-2xx answers measured something else (a 429, a 500): not a result.
          r.non2xx + r.errors + r.timeouts > 0
            ? 'INVALID (non-2xx or errors)'
            : r.name.startsWith('batch')
              ? `${r.snapshotsPerSec >= TARGET_BATCH_SNAPSHOTS_PER_SEC ? 'ok' : 'MISSED'} (>= ${fmt(TARGET_BATCH_SNAPSHOTS_PER_SEC)} snapshots/s)`
              : `${r.reqPerSec >= TARGET_INGEST_RPS ? 'ok' : 'MISSED'} (>= ${fmt(TARGET_INGEST_RPS)}/s)`,
          r.name.startsWith('batch') ? '' : r.p99Ms < TARGET_INGEST_P99_MS ? 'ok' : 'MISSED',
        ]),
      ),
    );
    log(`first matching snapshot's decisions: ${JSON.stringify(ingest.firstMatchDecisions)}`);
  }

  let storm: StormIngestResult | null = null;
  if (process.env.BENCH_SKIP_STORM_INGEST !== '1') {
    storm = await runStormIngest(root, {
      durationSec: envNumber('BENCH_INGEST_SECONDS', 10),
      connections: envNumber('BENCH_INGEST_CONNECTIONS', 10),
      serviceNodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
      mongoUri: process.env.BENCH_MONGODB_URI || undefined,
      onStarted: (stop) => stoppers.push(stop),
    }, log);
  }

  let replay: ReplayBenchResult | null = null;
  if (process.env.BENCH_SKIP_REPLAY !== '1') {
    const count = envNumber('BENCH_REPLAY_SNAPSHOTS', 100_000);
    log(`\n(c) replay of ${fmt(count)} stored snapshots (SQLite file, 12 shipped rules)`);
    replay = await runReplayBench({ projectRoot: root, count }, log);
    log('');
    log(
      table(
        ['run', 'snapshots', 'seconds', 'snapshots/s', `< ${TARGET_REPLAY_SECONDS} s`],
        [
          ['rules in force', fmt(replay.snapshots), replay.seconds.toFixed(2), fmt(replay.snapshotsPerSec), replay.seconds < TARGET_REPLAY_SECONDS ? 'ok' : 'MISSED'],
          ['candidate + compareTo', fmt(replay.snapshots), replay.withCompare.seconds.toFixed(2), fmt(replay.withCompare.snapshotsPerSec), ''],
        ],
      ),
    );
  }

  let stats: StatsBenchResult[] = [];
  if (process.env.BENCH_SKIP_STATS !== '1') {
    const count = envNumber('BENCH_STATS_ACTIONS', 100_000);
    log(`\n(d) GET /api/self-healing/stats computed in the store over ${fmt(count)} actions (40 rules, 30 days)`);
    stats = await runStatsBench({ count, rules: 40, runs: 5, mongoUri: process.env.BENCH_STATS_MONGODB_URI || undefined }, log);
    log('');
    log(
      table(
        ['store', 'window', 'actions in window', 'median ms', 'max ms'],
        stats.flatMap((s) => s.windows.map((w) => [s.store, w.window, fmt(w.actionsInWindow), ms(w.medianMs), ms(w.maxMs)])),
      ),
    );
  }

  let series: SeriesBenchResult[] = [];
  if (process.env.BENCH_SKIP_SERIES !== '1') {
    const count = envNumber('BENCH_SERIES_SNAPSHOTS', 10_000);
    const sources = envNumber('BENCH_SERIES_SOURCES', 1);
    log(`\n(e) GET /api/self-healing/series over a full retention store: ${fmt(count)} snapshots in 7 days, ${fmt(sources)} source(s)`);
    series = await runSeriesBench({ count, sources, runs: 9, mongoUri: process.env.BENCH_SERIES_MONGODB_URI || undefined }, log);
    log('');
    log(
      table(
        ['store', 'span', 'samples read', 'points', 'median ms', 'max ms'],
        series.flatMap((s) => s.spans.map((w) => [s.store, w.span, fmt(w.samples), fmt(w.points), ms(w.medianMs), ms(w.maxMs)])),
      ),
    );
  }

  const finished = new Date();
  const output = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    command: 'npm run bench',
    machine: { ...m, loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100) },
    targets: {
      evaluateSpeedupMin: TARGET_SPEEDUP,
      compile1000MsMax: TARGET_COMPILE_MS,
      memory10000MbMax: TARGET_MEMORY_MB,
      ingestReqPerSecMin: TARGET_INGEST_RPS,
      batchSnapshotsPerSecMin: TARGET_BATCH_SNAPSHOTS_PER_SEC,
      ingestP99MsMax: TARGET_INGEST_P99_MS,
      replaySecondsMax: TARGET_REPLAY_SECONDS,
    },
    evaluate: { options: evalOptions, cases: evaluate },
    storm,
    compile,
    ingest,
    replay,
    stats,
    series,
  };
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(output, null, 2)}\n`);
  log(`\nfigures written to ${path.relative(process.cwd(), path.join(dir, 'latest.json')) || 'bench/results/latest.json'}`);
  log(`load average at end (1/5/15 min): ${output.machine.loadAverageAtEnd.join(' / ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
