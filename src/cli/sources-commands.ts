import type { Command } from 'commander';
import { loadConfig } from '../config/load-config';
import type { PrometheusSourceConfig } from '../config/sections/sources';
import { AppError } from '../errors';
import { createSchemaRegistry } from '../schemas/registry';
import { parseSnapshot } from '../schemas/snapshot-input';
import { runSource, type SourceRun } from '../sources/source-run';
import { CliError, EXIT } from './exit-codes';
import { type Io, json, table } from './output';

interface CommandContext {
  io: Io;
  setExit(code: number): void;
}

/** Reasons that say Prometheus gave no answer at all (exit 4 when a whole source got none). */
const NO_ANSWER = new Set(['timeout', 'unreachable', 'http_status']);

function sourcesOf(configFile: string, only: string | undefined): PrometheusSourceConfig[] {
  let sources: PrometheusSourceConfig[];
  try {
    // Loaded as the service would start with CONFIG_FILE=<file>: defaults, the file, the environment, the same checks.
    sources = loadConfig({ env: { ...process.env, CONFIG_FILE: configFile } }).sources.prometheus;
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  if (sources.length === 0) throw new CliError(`${configFile} configures no sources.prometheus`, EXIT.usage);
  if (only === undefined) return sources;
  const picked = sources.filter((s) => s.name === only);
  if (picked.length === 0) throw new CliError(`no source named "${only}" in ${configFile} (it has ${sources.map((s) => s.name).join(', ')})`, EXIT.usage);
  return picked;
}

/** A snapshot refused by the checks POST /api/metrics applies: why, else null. */
function refusal(snapshot: SourceRun['snapshots'][number]): string | null {
  try {
    parseSnapshot(createSchemaRegistry(), snapshot);
    return null;
  } catch (err) {
    const problems = err instanceof AppError ? err.errors.map((p) => `${p.pointer} ${p.message}`) : [];
    return [(err as Error).message, ...problems].join('; ');
  }
}

function report(run: SourceRun): string {
  const rows = run.queries.map((q) => [q.fact, q.error ? `${q.error.reason}: ${q.error.message}` : 'ok', q.values, q.leftOut, q.durationMs]);
  const lines = [`source ${run.source}: ${run.queries.filter((q) => q.error === null).length}/${run.queries.length} queries answered in ${run.durationMs} ms`];
  lines.push(table(['fact', 'result', 'values', 'left out', 'ms'], rows));
  if (run.snapshots.length === 0) lines.push('no snapshot (no query gave a number)');
  for (const s of run.snapshots) {
    const refused = refusal(s);
    lines.push(`snapshot ${s.source}${refused ? ` (ingest would refuse it: ${refused})` : ''}:`, json(s));
  }
  return lines.join('\n');
}

/** `sources test <config>`: each query once, and the snapshots the service would ingest (docs/cli.md). */
export function addSourcesCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const sources = program.command('sources').description('pull sources (Prometheus queries) of a service configuration');

  sources
    .command('test')
    .description('run each query of the configured pull sources once and print the snapshots they would produce; nothing is ingested')
    .argument('<config>', 'a service configuration file (as CONFIG_FILE)')
    .option('--source <name>', 'only this source')
    .option('--json', 'machine-readable output')
    .action(async (configFile: string, opts: { source?: string; json?: boolean }) => {
      const runs: SourceRun[] = [];
      for (const source of sourcesOf(configFile, opts.source)) runs.push(await runSource(source, new Date()));
      if (opts.json) {
        io.out(json(runs.map((r) => ({ ...r, snapshots: r.snapshots.map((s) => ({ ...s, refused: refusal(s) })) }))));
      } else {
        io.out(runs.map(report).join('\n\n'));
      }
      const silent = runs.some((r) => r.queries.every((q) => q.error !== null && NO_ANSWER.has(q.error.reason)));
      const failed = runs.some((r) => r.queries.some((q) => q.error !== null) || r.snapshots.some((s) => refusal(s) !== null));
      ctx.setExit(silent ? EXIT.unreachable : failed ? EXIT.failed : EXIT.ok);
    });
}
