import { bareOpsPerSec } from './evaluate-bench';
import { generateRulesDocument, generateSnapshots } from './generate-rules';
import { generateStormRules, generateStormSnapshots } from './generate-storm';
import { type IngestRun, runIngestBench } from './ingest-bench';
import { type CommandCount, runStoreCommands } from './store-commands';

/**
 * (f) Ingest during an incident storm, end to end, as a ratio to bare json-rules-engine on the same
 * rules and snapshot measured in the same run (before and after the load, one evaluation at a time):
 * 1,000 storm rules, one storm snapshot posted again and again (about half the rules match, all in
 * cooldown after the first request), full replies and ?decisions=acted. With a MongoDB server, the
 * same on it, the 12-rule and 1,000-rule ingest runs of (b) on it, and its commands a request.
 */
export interface StormIngestResult {
  bareOpsPerSec: { before: number; after: number };
  runs: (IngestRun & { store: string; ratioToBare?: number })[];
  mongoCommands: CommandCount[] | null;
}

export const TARGET_STORM_RATIO = 20;
export const TARGET_STORM_ACTED_RATIO = 40;

export async function runStormIngest(
  projectRoot: string,
  options: { durationSec: number; connections: number; serviceNodeArgs: string[]; mongoUri?: string; onStarted: (stop: () => Promise<void>) => void },
  log: (s: string) => void,
): Promise<StormIngestResult> {
  const doc = generateStormRules(1000);
  const metrics = generateStormSnapshots(1)[0]!;
  const common = { projectRoot, durationSec: options.durationSec, warmupSec: 3, connections: options.connections, serviceNodeArgs: options.serviceNodeArgs, onStarted: options.onStarted };
  log(`\n(f) storm ingest: 1,000 storm rules, one storm snapshot, autocannon ${options.connections} connections x ${options.durationSec} s; bare json-rules-engine before and after`);
  const before = await bareOpsPerSec(doc, [metrics], 5000);
  log(`  bare json-rules-engine, same rules and snapshot: ${before.toFixed(1)} evaluations/s`);
  const runs: StormIngestResult['runs'] = [];
  const storm = await runIngestBench({ ...common, generated: { doc, metrics }, generatedName: 'storm', acted: true }, log);
  runs.push(...storm.runs.map((r) => ({ ...r, store: 'sqlite' })));
  const after = await bareOpsPerSec(doc, [metrics], 5000);
  log(`  bare json-rules-engine after the load: ${after.toFixed(1)} evaluations/s`);
  const bare = (before + after) / 2;
  for (const r of runs) r.ratioToBare = r.snapshotsPerSec / bare;
  let mongoCommands: CommandCount[] | null = null;
  if (options.mongoUri) {
    log(`  the ingest runs of (b) on MongoDB (${options.mongoUri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/i, '$1')})`);
    const shipped = await runIngestBench({ ...common, mongoUri: options.mongoUri, batchSize: 100 }, log);
    const generated = await runIngestBench({ ...common, mongoUri: options.mongoUri, generated: { doc: generateRulesDocument(1000), metrics: generateSnapshots(1)[0]! } }, log);
    runs.push(...[...shipped.runs, ...generated.runs].map((r) => ({ ...r, store: 'mongodb' })));
    log('  MongoDB commands a request (driver command monitoring, service in this process):');
    mongoCommands = await runStoreCommands({ projectRoot, mongoUri: options.mongoUri, repeats: 3 }, log);
    // Last: its first request dispatches some 500 actions, which takes FerretDB a long time.
    if (process.env.BENCH_STORM_MONGODB !== '0') {
      const onMongo = await runIngestBench({ ...common, mongoUri: options.mongoUri, generated: { doc, metrics }, generatedName: 'storm', acted: true }, log);
      runs.push(...onMongo.runs.map((r) => ({ ...r, store: 'mongodb', ratioToBare: r.snapshotsPerSec / bare })));
    }
  }
  log('');
  for (const r of runs) {
    const target = r.name.startsWith('storm') ? (r.name.endsWith('acted') ? TARGET_STORM_ACTED_RATIO : TARGET_STORM_RATIO) : null;
    const ratio = r.ratioToBare === undefined ? '' : ` = ${r.ratioToBare.toFixed(1)}x bare`;
    const verdict = r.non2xx + r.errors + r.timeouts > 0 ? ' INVALID (non-2xx or errors)' : target === null ? '' : r.ratioToBare! >= target ? ` ok (>= ${target}x)` : ` MISSED (< ${target}x)`;
    log(`  ${r.store.padEnd(7)} ${r.name.padEnd(22)} ${r.snapshotsPerSec.toFixed(0).padStart(7)} snapshots/s, p99 ${r.p99Ms} ms${r.replyBytes ? `, reply ${r.replyBytes} B` : ''}${ratio}${verdict}`);
  }
  return { bareOpsPerSec: { before, after }, runs, mongoCommands };
}
