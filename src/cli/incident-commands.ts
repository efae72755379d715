import type { Command } from 'commander';
import { type Io, json, table } from './output';
import { clientFor, remote, type RemoteOptions } from './remote-commands';

interface CommandContext {
  io: Io;
}

type Row = Record<string, unknown>;
type Page = { items: Row[]; nextCursor: string | null };

const labelsText = (labels: Row) => Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',');

function rows(items: Row[]): string[][] {
  return items.map((i) => [String(i.id), String(i.state), labelsText(i.labels as Row), String(i.openedAt), i.resolvedAt ? `${String(i.resolvedAt)} (${String(i.resolution)})` : '-']);
}

/** `self-healing incidents [--open]` and `self-healing incidents show <id>` (docs/cli.md). */
export function addIncidentCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const print = (opts: RemoteOptions, value: unknown, human: () => void) => (opts.json ? io.out(json(value)) : human());

  const incidents = remote(
    program
      .command('incidents')
      .description('incidents of a running service, open ones first (show <id>: one with its timeline)')
      .option('--open', 'only open incidents')
      .option('--source <source>', 'only incidents of this source')
      .option('--limit <n>', 'page size')
      .option('--cursor <cursor>', 'the next page'),
  ).action(async (opts: RemoteOptions & { open?: boolean; source?: string; limit?: string; cursor?: string }) => {
    const query = { state: opts.open ? 'open' : undefined, source: opts.source || undefined, limit: opts.limit || undefined, cursor: opts.cursor || undefined };
    const page = (await clientFor(opts).call('listIncidents', { query })) as Page;
    print(opts, page, () => {
      io.out(page.items.length === 0 ? (opts.open ? 'no open incidents' : 'no incidents') : table(['id', 'state', 'group', 'opened', 'resolved'], rows(page.items)));
      if (page.nextCursor) io.out(`(more: --cursor ${page.nextCursor})`);
    });
  });

  remote(incidents.command('show').description('one incident: its decisions, actions, alerts and timeline').argument('<id>', 'incident id')).action(
    async (id: string, opts: RemoteOptions) => {
      const detail: Row = await clientFor(opts).call('getIncident', { params: { id } });
      print(opts, detail, () => {
        const incident = detail.incident as Row;
        io.out(`incident ${String(incident.id)} (${String(incident.state)}) ${labelsText(incident.labels as Row)}, opened ${String(incident.openedAt)}, last decided ${String(incident.lastDecisionAt)}${incident.resolvedAt ? `, resolved ${String(incident.resolvedAt)} (${String(incident.resolution)})` : ''}`);
        io.out(`rules: ${(detail.rules as string[]).join(', ')}`);
        const timeline = detail.timeline as Row[];
        io.out(table(['at', 'what', 'rule', 'detail'], timeline.map((e) => [String(e.at), e.decision ? `decision ${String(e.decision)}` : String(e.kind), e.rule ? String(e.rule) : '-', String(e.detail)])));
      });
    },
  );
}
