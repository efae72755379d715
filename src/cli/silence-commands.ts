import type { Command } from 'commander';
import { parseDateTime } from '../domain/date-time';
import { parseDuration } from './durations';
import { CliError, EXIT } from './exit-codes';
import { type Io, json, table } from './output';
import { clientFor, remote, type RemoteOptions } from './remote-commands';

interface CommandContext {
  io: Io;
}

type Row = Record<string, unknown>;
type Page = { items: Row[]; nextCursor: string | null };

const MATCHERS = ['rule', 'type', 'target', 'source', 'severity'] as const;

interface AddOptions extends RemoteOptions, Partial<Record<(typeof MATCHERS)[number], string>> {
  endsIn?: string;
  endsAt?: string;
  startsAt?: string;
  comment?: string;
  weekdays?: string;
  between?: string;
  tz?: string;
}

/** `value` is exact; `~value` is an (anchored) regex, as amtool's `name=~value`. */
function matcherOf(value: string): string | { regex: string } {
  return value.startsWith('~') ? { regex: value.slice(1) } : value;
}

function instant(text: string, option: string): Date {
  const date = parseDateTime(text);
  if (date === null) throw new CliError(`${option} must be an ISO 8601 date-time with a zone, e.g. 2026-03-01T22:00:00Z; got "${text}"`, EXIT.usage);
  return date;
}

/** The request body `silence add` sends; usage mistakes are caught here, the rest by the service. */
export function silenceRequest(opts: AddOptions, now: Date): Row {
  const matchers = Object.fromEntries(MATCHERS.filter((m) => opts[m] !== undefined).map((m) => [m, matcherOf(opts[m]!)]));
  if (Object.keys(matchers).length === 0) throw new CliError(`give at least one matcher: ${MATCHERS.map((m) => `--${m}`).join(', ')}`, EXIT.usage);
  if (!opts.comment) throw new CliError("required option '--comment <text>' not specified", EXIT.usage);
  if ((opts.endsIn === undefined) === (opts.endsAt === undefined)) throw new CliError('give exactly one of --ends-in <duration> and --ends-at <time>', EXIT.usage);
  const startsAt = opts.startsAt === undefined ? null : instant(opts.startsAt, '--starts-at');
  let endsAt: Date;
  if (opts.endsIn !== undefined) {
    const ms = parseDuration(opts.endsIn);
    if (ms === null || ms <= 0) throw new CliError(`--ends-in must be a duration such as 90m, 2h or 1d12h; got "${opts.endsIn}"`, EXIT.usage);
    endsAt = new Date((startsAt ?? now).getTime() + ms);
  } else {
    endsAt = instant(opts.endsAt!, '--ends-at');
  }
  const body: Row = { matchers, endsAt: endsAt.toISOString(), comment: opts.comment };
  if (startsAt) body.startsAt = startsAt.toISOString();
  if (opts.weekdays !== undefined || opts.between !== undefined) {
    if (!opts.tz) throw new CliError('--weekdays and --between need --tz <zone> (an IANA name such as Europe/Berlin)', EXIT.usage);
    const schedule: Row = { timeZone: opts.tz };
    if (opts.weekdays !== undefined) schedule.weekdays = opts.weekdays.split(',').map((d) => d.trim());
    if (opts.between !== undefined) {
      const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(opts.between);
      if (!m) throw new CliError(`--between must be HH:MM-HH:MM, e.g. 22:00-06:00; got "${opts.between}"`, EXIT.usage);
      schedule.times = { start: m[1], end: m[2] };
    }
    body.schedule = schedule;
  } else if (opts.tz) {
    throw new CliError('--tz goes with --weekdays and/or --between', EXIT.usage);
  }
  return body;
}

function matchersText(matchers: Row): string {
  return Object.entries(matchers)
    .map(([k, v]) => (typeof v === 'string' ? `${k}=${v}` : `${k}=~${(v as { regex: string }).regex}`))
    .join(' ');
}

function scheduleText(s: Row | null): string {
  if (!s) return '';
  const days = (s.weekdays as string[] | null)?.join(',') ?? 'every day';
  const times = s.times as { start: string; end: string } | null;
  return `${days}${times ? ` ${times.start}-${times.end}` : ''} ${String(s.timeZone)}`;
}

function rows(items: Row[]): (string | null)[][] {
  return items.map((s) => [
    s.id as string,
    s.state as string,
    s.inForce ? 'yes' : 'no',
    matchersText(s.matchers as Row),
    s.startsAt as string,
    s.endsAt as string,
    scheduleText(s.schedule as Row | null),
    s.createdBy as string,
    s.comment as string,
  ]);
}

const HEADERS = ['id', 'state', 'in force', 'matchers', 'starts', 'ends', 'schedule', 'by', 'comment'];

export function addSilenceCommands(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const print = (opts: RemoteOptions, value: unknown, human: () => void) => (opts.json ? io.out(json(value)) : human());
  const silence = program.command('silence').description('silences (maintenance windows) of a running service: add, list, expire');

  const add = silence
    .command('add')
    .description('silence matching rules that would act, until a time (optionally on a recurring schedule)');
  for (const m of MATCHERS) add.option(`--${m} <value>`, `match the ${m === 'rule' ? 'rule name' : m === 'type' ? 'action type' : m}: exact, or ~regex (anchored)`);
  remote(
    add
      .option('--ends-in <duration>', 'how long from --starts-at (or now): 90m, 2h, 1d')
      .option('--ends-at <time>', 'when it ends (ISO 8601)')
      .option('--starts-at <time>', 'when it starts (ISO 8601); default now')
      .option('--comment <text>', 'why (required)')
      .option('--weekdays <days>', 'recurring: days, e.g. mon-fri or sat,sun')
      .option('--between <HH:MM-HH:MM>', 'recurring: a daily range, e.g. 22:00-06:00 (past midnight belongs to the day it starts)')
      .option('--tz <zone>', 'the IANA time zone of --weekdays and --between, e.g. Europe/Berlin'),
  ).action(async (opts: AddOptions) => {
    const body = silenceRequest(opts, new Date());
    const created: Row = await clientFor(opts).call('createSilence', { body });
    print(opts, created, () => {
      const schedule = scheduleText(created.schedule as Row | null);
      io.out(`silence ${String(created.id)} (${String(created.state)}): ${matchersText(created.matchers as Row)} from ${String(created.startsAt)} until ${String(created.endsAt)}${schedule ? `, ${schedule}` : ''}`);
    });
  });

  remote(
    silence
      .command('list')
      .description('silences, newest first: active and pending ones (--all: expired ones too)')
      .option('--all', 'every silence, expired ones too (paged: --limit, --cursor)')
      .option('--state <state>', 'only pending, active or expired ones (paged)')
      .option('--limit <n>', 'page size')
      .option('--cursor <cursor>', 'the next page'),
  ).action(async (opts: RemoteOptions & { all?: boolean; state?: string; limit?: string; cursor?: string }) => {
    const client = clientFor(opts);
    const get = (state: string | null, cursor?: string) => {
      const query = { state: state || undefined, limit: opts.limit || undefined, cursor: cursor || undefined };
      return client.call('listSilences', { query }) as Promise<Page>;
    };
    let page: Page;
    if (opts.all || opts.state) page = await get(opts.state ?? null, opts.cursor);
    else {
      // What holds now or will: the two states, each one page.
      const [active, pending] = await Promise.all([get('active'), get('pending')]);
      const items = [...active.items, ...pending.items].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
      page = { items, nextCursor: null };
      if (active.nextCursor || pending.nextCursor) io.err('(more: use --state active or --state pending with --cursor)');
    }
    print(opts, page, () => {
      io.out(page.items.length === 0 ? 'no silences' : table(HEADERS, rows(page.items)));
      if (page.nextCursor) io.out(`(more: --cursor ${page.nextCursor})`);
    });
  });

  remote(silence.command('expire').description('end a silence now (it is kept, with who and when)').argument('<id>', 'silence id')).action(
    async (id: string, opts: RemoteOptions) => {
      const expired: Row = await clientFor(opts).call('expireSilence', { params: { id } });
      print(opts, expired, () => io.out(`silence ${String(expired.id)} expired by ${String(expired.expiredBy)} at ${String(expired.expiredAt)}`));
    },
  );
}
