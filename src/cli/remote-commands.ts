import type { Command } from 'commander';
import { readJsonFile } from './json-file';
import { CliError, EXIT } from './exit-codes';
import { type Io, json, table } from './output';
import { ServiceClient } from './service-client';
import { readSnapshotsFile } from './snapshots-file';
import type { CommandContext } from './rules-commands';

export interface RemoteOptions {
  url: string;
  timeout: string;
  json?: boolean;
}

type Row = Record<string, unknown>;

const DEFAULT_URL = 'http://127.0.0.1:3080';

export function clientFor(opts: RemoteOptions): ServiceClient {
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`, EXIT.usage);
  const apiKey = process.env.SELF_HEALING_API_KEY;
  return new ServiceClient({ url: opts.url, timeoutMs, ...(apiKey ? { apiKey } : {}) });
}

/** `--url`, `--timeout` and `--json` on every command that talks to a running service. */
export function remote(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'the service\'s base URL (env SELF_HEALING_URL)', process.env.SELF_HEALING_URL || DEFAULT_URL)
    .option('--timeout <seconds>', 'give up on the service after this long', '30')
    .option('--json', 'machine-readable output (the service\'s reply as is)');
}

function decider(): string {
  return process.env.SELF_HEALING_USER || process.env.USER || 'self-healing-cli';
}

function actionRows(items: readonly Row[]): (string | null)[][] {
  return items.map((a) => [
    a.id as string,
    a.createdAt as string,
    a.rule as string,
    a.type as string,
    a.status as string,
    (a.outcome as string | undefined) ?? null,
    (a.requestedBy as string | undefined) ?? null,
  ]);
}

/** A timeline entry's decision in words: a shadow rule's, a spent budget's target, an outcome and what would have followed. */
function timelineText(e: Row): string {
  if (e.wouldDecide) return `shadow (${String(e.wouldDecide)})`;
  if (e.decision === 'budget_exhausted') return `budget_exhausted (${String(e.target)})`;
  if (e.decision === 'silenced') return `silenced (${String(e.silenceId)})`;
  if (e.decision === 'inhibited') {
    const by = e.inhibitedBy as { rule: string; actionId?: string } | undefined;
    return `inhibited (by ${String(by?.rule)}${by?.actionId ? ` ${by.actionId}` : ''})`;
  }
  if (e.decision === 'verified') {
    const next = e.followUp && e.followUp !== 'none' ? ` → ${String(e.followUp)}` : '';
    return `verified ${String(e.outcome)} (${String(e.actionId)})${next}`;
  }
  return e.decision as string;
}

function showAction(io: Io, a: Row): void {
  const lines = ['id', 'rule', 'type', 'status', 'severity', 'target', 'revertOf', 'revertedBy', 'requestedBy', 'createdAt', 'expiresAt', 'decidedBy', 'decidedAt', 'finishedAt', 'error', 'outcome', 'outcomeAt', 'recoveredAt']
    .filter((k) => a[k] !== undefined && a[k] !== null)
    .map((k) => `${k.padEnd(12)} ${String(a[k])}`);
  lines.push(`${'params'.padEnd(12)} ${JSON.stringify(a.params)}`);
  if (a.result) lines.push(`${'result'.padEnd(12)} ${(a.result as { summary?: string }).summary ?? JSON.stringify(a.result)}`);
  if (a.matchedFacts) lines.push(`${'matched'.padEnd(12)} ${JSON.stringify(a.matchedFacts)}`);
  io.out(lines.join('\n'));
}

/** GET /api/health/router in words: the host in use, and while failed over the road back. */
function routerText(r: Row): string {
  const lines = [`current      ${String(r.current)} (${String(r.currentUrl)})${r.failedOver ? `, failed over since ${String(r.failoverTimestamp)}` : ''}`];
  if (r.reason) lines.push(`reason       ${String(r.reason)}`);
  lines.push(`failovers    ${String(r.failoverCount)}`);
  if (!r.failedOver) return lines.join('\n');
  const fb = (r.failback ?? {}) as Row;
  const probes = (r.probes ?? []) as Row[];
  lines.push(`streak       ${String(r.healthyStreak)} of ${String(fb.healthyProbesNeeded)} healthy probes of the primary`);
  lines.push(`failback     ${r.failbackAt ? `due ${String(r.failbackAt)} if the primary stays healthy (${String(fb.status)})` : String(fb.status)}`);
  lines.push(`hold         ${String(fb.holdSeconds)} s on the secondary; ${String(fb.failbacksLastHour)} failback(s) in the last hour`);
  if (fb.failoverActionId) lines.push(`failover     action ${String(fb.failoverActionId)}`);
  if (fb.pendingFailbackId) lines.push(`under way    action ${String(fb.pendingFailbackId)}`);
  if (fb.suspendedAt) lines.push(`suspended    since ${String(fb.suspendedAt)}: an operator decides (POST /api/health/router/reset)`);
  const secondary = fb.secondaryProbe as Row | null;
  if (secondary) lines.push(`secondary    ${secondary.ok ? 'healthy' : 'unhealthy'}: ${String(secondary.reason)} at ${String(secondary.at)}`);
  if (probes.length > 0) {
    // Oldest first, one mark per probe: the shape of the last minutes at a glance, the numbers below.
    lines.push(`probes       ${probes.map((p) => (p.ok ? '+' : 'x')).join('')}  (+ healthy, x not; oldest first)`);
    lines.push(table(['at', 'ok', 'latency ms', 'reason'], probes.slice(-10).map((p) => [p.at as string, p.ok ? 'yes' : 'no', String(p.latencyMs), p.reason as string])));
  }
  return lines.join('\n');
}

export function addRemoteCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const print = (opts: RemoteOptions, value: unknown, human: () => void) => (opts.json ? io.out(json(value)) : human());

  remote(
    program
      .command('replay')
      .description('replay stored history (or given snapshots) against the rules in force or a candidate file; changes nothing')
      .option('--rules <file>', 'a candidate rules file to replay instead of the rules in force')
      .option('--compare', 'also replay the rules in force and show the rules whose decisions differ')
      .option('--from <time>', 'received at or after (ISO 8601)')
      .option('--to <time>', 'received at or before (ISO 8601)')
      .option('--source <source...>', 'only these sources')
      .option('--snapshots <file>', 'snapshots to replay instead of stored ones: a batch body ({ "snapshots": [...] }), a JSON array, or NDJSON')
      .option('--approvals <what>', 'approve | reject | pending (default pending)')
      .option('--clock <clock>', 'received | timestamp: play stored history on when it was received (default) or on its snapshots\' own timestamps')
      .option('--timeline', 'print the timeline too (a page of --limit entries)')
      .option('--limit <n>', 'timeline entries per page')
      .option('--cursor <cursor>', 'the next timeline page: the cursor a previous run printed (same other options)'),
  ).action(async (opts: RemoteOptions & Record<string, string | string[] | boolean | undefined>) => {
    const body: Row = {};
    if (opts.rules) body.rules = readJsonFile(opts.rules as string, 'rules file');
    if (opts.compare) body.compareTo = 'current';
    if (opts.from) body.from = opts.from;
    if (opts.to) body.to = opts.to;
    if (opts.source) body.sources = opts.source;
    if (opts.snapshots) body.snapshots = readSnapshotsFile(opts.snapshots as string);
    if (opts.approvals) body.approvals = opts.approvals;
    if (opts.clock) body.clock = opts.clock;
    if (opts.limit) body.limit = Number(opts.limit);
    if (opts.cursor) body.cursor = opts.cursor;
    const result = await clientFor(opts).call('replay', { body });
    print(opts, result, () => {
      const summary = result.summary as readonly Row[];
      const kinds = ['execute', 'require_approval', 'cooldown', 'duplicate_pending', 'silenced', 'inhibited', 'budget_exhausted', 'shadow', 'effective', 'ineffective', 'unknown'];
      const out = [
        `${String(result.snapshots)} snapshots replayed (rules ${String(result.rulesVersion)}, approvals ${String(result.approvals)}, clock ${String(result.clock)})`,
        table(['rule', ...kinds], summary.map((r) => [r.rule as string, ...kinds.map((k) => (r[k] as number | undefined) ?? 0)])),
      ];
      const diff = result.diff as { rule: string; current: Row; candidate: Row }[] | undefined;
      if (diff) {
        out.push('', diff.length === 0 ? 'no rule decides differently from the rules in force' : 'rules that decide differently (current → candidate):');
        if (diff.length > 0) {
          out.push(table(['rule', ...kinds], diff.map((d) => [d.rule, ...kinds.map((k) => `${(d.current[k] as number | undefined) ?? 0} → ${(d.candidate[k] as number | undefined) ?? 0}`)])));
        }
      }
      if (opts.timeline) {
        const timeline = result.timeline as readonly Row[];
        out.push('', table(['at', 'source', 'rule', 'decision'], timeline.map((e) => [e.at as string, e.source as string, e.rule as string, timelineText(e)])));
        if (result.nextCursor) out.push(`(more: --cursor ${String(result.nextCursor)})`);
      }
      io.out(out.join('\n'));
    });
  });

  const actions = program.command('actions').description('list, show, approve, reject and revert actions of a running service');

  remote(
    actions
      .command('list')
      .description('actions, newest first')
      .option('--status <statuses>', 'comma-separated statuses, e.g. pending_approval,shadowed')
      .option('--rule <name>', 'one rule')
      .option('--type <type>', 'one action type')
      .option('--limit <n>', 'page size')
      .option('--cursor <cursor>', 'the next page'),
  ).action(async (opts: RemoteOptions & { status?: string; rule?: string; type?: string; limit?: string; cursor?: string }) => {
    const query = { status: opts.status || undefined, rule: opts.rule || undefined, type: opts.type || undefined, limit: opts.limit || undefined, cursor: opts.cursor || undefined };
    const page = await clientFor(opts).call('listActions', { query });
    print(opts, page, () => {
      io.out(table(['id', 'created', 'rule', 'type', 'status', 'outcome', 'requested by'], actionRows(page.items as readonly Row[])));
      if (page.nextCursor) io.out(`(more: --cursor ${page.nextCursor})`);
    });
  });

  remote(actions.command('show').description('one action').argument('<id>', 'action id')).action(async (id: string, opts: RemoteOptions) => {
    const action = await clientFor(opts).call('getAction', { params: { id } });
    print(opts, action, () => showAction(io, action));
  });

  for (const verb of ['approve', 'reject'] as const) {
    remote(
      actions
        .command(verb)
        .description(`${verb} a pending action (the first decision wins; a late one exits 1)`)
        .argument('<id>', 'action id')
        .option('--by <name>', 'who decides (with an API key, the key\'s name is recorded)', decider())
        .option('--comment <text>', 'why'),
    ).action(async (id: string, opts: RemoteOptions & { by: string; comment?: string }) => {
      const body = { by: opts.by, ...(opts.comment ? { comment: opts.comment } : {}) };
      const action = await clientFor(opts).call(verb === 'approve' ? 'approveAction' : 'rejectAction', { params: { id }, body });
      print(opts, action, () => showAction(io, action));
    });
  }

  remote(actions.command('revert').description('undo what an action did (through its strategy\'s inverse)').argument('<id>', 'action id')).action(
    async (id: string, opts: RemoteOptions) => {
      const reply = await clientFor(opts).call('revertAction', { params: { id } });
      print(opts, reply, () => showAction(io, reply));
    },
  );

  const pause = remote(
    program
      .command('pause')
      .description('hold every automatic action (an incident is being handled by hand); `pause status` says whether it is held')
      // `pause status` is a command of its own: its options are its own, not pause's.
      .enablePositionalOptions()
      .option('--reason <text>', 'why; shown to everyone (required)')
      .option('--until <time>', 'when the pause ends by itself (ISO 8601); default: until resume'),
  ).action(async (opts: RemoteOptions & { reason?: string; until?: string }) => {
    // Checked here rather than as a required option, which commander would demand of `pause status` too.
    if (!opts.reason) throw new CliError("required option '--reason <text>' not specified", EXIT.usage);
    const state = await clientFor(opts).call('pauseAutomation', { body: { reason: opts.reason, ...(opts.until ? { until: opts.until } : {}) } });
    print(opts, state, () => io.out(`paused${state.until ? ` until ${String(state.until)}` : ''}: ${opts.reason}`));
  });

  remote(pause.command('status').description('whether automatic actions are held: by whom, why, since and until when')).action(async (opts: RemoteOptions) => {
    const state = await clientFor(opts).call('getPause');
    print(opts, state, () =>
      io.out(state.paused
        ? `paused since ${String(state.since)} by ${String(state.by)}${state.until ? ` until ${String(state.until)}` : ' until resumed'}: ${String(state.reason)}`
        : 'not paused: automatic actions run'),
    );
  });

  remote(program.command('resume').description('end the pause')).action(async (opts: RemoteOptions) => {
    const reply = await clientFor(opts).call('resumeAutomation');
    print(opts, reply, () => io.out(reply.resumed === false ? 'not paused: nothing changed' : 'resumed: automatic actions run again'));
  });

  remote(program.command('router').description('which model host traffic goes to and, while failed over, the probes of the primary and when the failback is due')).action(
    async (opts: RemoteOptions) => {
      const state = await clientFor(opts).call('getRouterState');
      print(opts, state, () => io.out(routerText(state)));
    },
  );

  remote(
    program
      .command('simulate')
      .description('the decisions ingest would take for one snapshot; changes nothing')
      .argument('<snapshot-file>', 'a snapshot: { "source", "timestamp", "metrics" }')
      .option('--rule <name>', 'only this rule'),
  ).action(async (file: string, opts: RemoteOptions & { rule?: string }) => {
    const body = { snapshot: readJsonFile(file, 'snapshot file'), ...(opts.rule ? { ruleName: opts.rule } : {}) };
    const result = await clientFor(opts).call('simulate', { body });
    print(opts, result, () =>
      io.out(
        table(
          ['rule', 'matched', 'decision', 'reason'],
          result.results.map((r) => [r.rule as string, r.matched ? 'yes' : 'no', r.wouldDecide ? `shadow (${String(r.wouldDecide)})` : (r.decision as string), r.reason as string]),
        ),
      ),
    );
  });
}
