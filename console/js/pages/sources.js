import { call } from '../client.js';
import { badge, clear, fmtTime, h, json, kv, relTime, table } from '../dom.js';

/** The badge colour of each source state, by the classes the stylesheet already has. */
const STATE_CLASS = { ok: 'ok', partial: 'warning', failing: 'failed', standby: 'pending', not_run: 'unknown' };
const STATE_TEXT = { ok: 'ok', partial: 'some queries fail', failing: 'failing', standby: 'standby', not_run: 'not run yet' };
const REFRESH_MS = 5000;

function querySection(source) {
  const rows = source.queries.map((q) => [
    q.fact + (q.by ? ` (by ${q.by})` : q.splitBy ? ` (split by ${q.splitBy})` : ''),
    h('code', {}, q.query),
    q.error ? badge('failed', `${q.error.reason}: ${q.error.message}`) : source.lastRun ? badge('ok', 'ok') : '—',
    String(q.values),
    String(q.leftOut),
    `${q.durationMs} ms`,
  ]);
  return table(['Fact', 'Query', 'Last result', 'Values', 'Left out', 'Took'], rows, `Queries of ${source.name}`);
}

function snapshotSection(source) {
  if (source.lastSnapshots.length === 0) return h('p', { class: 'muted' }, source.lastRun ? 'The last run gave no number: no snapshot.' : 'No snapshot yet.');
  return source.lastSnapshots.map((s) =>
    h('div', { class: 'panel' },
      h('p', {}, `Snapshot of source ${s.source} at ${fmtTime(s.timestamp)}: `,
        s.snapshotId ? h('span', {}, `stored as ${s.snapshotId}`) : h('span', { class: 'alert', role: 'alert' }, `not ingested: ${s.error}`)),
      json(s.metrics)));
}

function sourceSection(source) {
  const id = `source-${source.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return h('section', { 'aria-labelledby': id, 'data-source': source.name },
    h('h2', { id }, source.name, ' ', badge(STATE_CLASS[source.state] ?? 'unknown', STATE_TEXT[source.state] ?? source.state)),
    source.stale ? h('p', { class: 'alert', role: 'alert' }, 'Stale: no run in which every query answered for longer than the configured limit; an alert was raised.') : null,
    kv([
      ['Prometheus', source.url],
      ['Every', `${source.intervalSeconds} s`],
      ['Last run', source.lastRun ? `${fmtTime(source.lastRun.at)} (${source.lastRun.durationMs} ms)` : '—'],
      ['Last full success', source.lastSuccessAt ? `${fmtTime(source.lastSuccessAt)} (${relTime(source.lastSuccessAt)})` : '—'],
      ['Next run', source.nextRunAt ? relTime(source.nextRunAt) : '—'],
      ['Failed runs in a row', String(source.consecutiveFailures)],
    ]),
    h('h3', {}, 'Queries'),
    querySection(source),
    h('h3', {}, 'Last snapshots'),
    snapshotSection(source));
}

function render(main, data) {
  clear(
    main,
    h('h1', {}, 'Sources'),
    h('p', { class: 'muted' },
      data.pulling
        ? 'This instance runs the queries (it holds the periodic-work lease).'
        : 'Another instance runs the queries; this one stands by. Its runs show on the instance holding the periodic-work lease.',
      ` A source with no fully successful run for ${data.staleAfterSeconds} s raises one alert.`),
    data.sources.length === 0
      ? h('p', { class: 'muted' }, 'No pull source is configured (sources.prometheus; see docs/sources.md).')
      : data.sources.map(sourceSection),
  );
}

/** GET /api/self-healing/sources: each pull source's state, its queries' last results and its last snapshots; refreshed every few seconds. */
export async function mount(main) {
  render(main, (await call('listSources')).data);
  let timer = null;
  let disposed = false;
  const refresh = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (disposed || !main.isConnected) return;
      try {
        render(main, (await call('listSources')).data);
      } catch {
        // Kept as shown; the next refresh tries again.
      }
      refresh(REFRESH_MS);
    }, ms);
  };
  refresh(REFRESH_MS);
  return {
    // A stale source raises an alert: show it at once.
    onEvent: (e) => { if (e.type === 'alert.created') refresh(300); },
    dispose: () => { disposed = true; clearTimeout(timer); },
  };
}
