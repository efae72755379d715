import { qs } from '../api.js';
import { call } from '../client.js';
import { fetchSeries } from '../fact-charts.js';
import { clear, h, table, timeEl } from '../dom.js';
import { sparkline } from '../svg.js';

const SPAN_MS = 24 * 3_600_000;
/** Sparklines per source, and on the whole page: each is one request; the rest are listed with their value only. */
const MAX_SPARKLINES = 16;
const MAX_SPARKLINES_IN_ALL = 64;

/** Every numeric leaf of a snapshot's metrics as [dotted path, value], in the snapshot's order. */
export function numericFacts(metrics, prefix = '', out = []) {
  for (const [k, v] of Object.entries(metrics ?? {})) {
    if (!/^[A-Za-z0-9_-]+$/.test(k)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.push([path, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v) && path.split('.').length < 10) numericFacts(v, path, out);
  }
  return out;
}

/** #/snapshots: per source, its newest snapshot and a sparkline per numeric fact over the last 24 hours. */
export async function mount(main, ctx, view) {
  if (view.query.get('source') || view.query.get('cursor')) return mountList(main, ctx, view);
  const { data } = await call('listSnapshotSources');
  const to = Date.now();
  const from = to - SPAN_MS;
  const perSource = Math.max(4, Math.min(MAX_SPARKLINES, Math.floor(MAX_SPARKLINES_IN_ALL / Math.max(data.items.length, 1))));
  const cards = await Promise.all(data.items.map(async (s) => {
    const facts = numericFacts(s.latest.metrics);
    const lines = await Promise.all(facts.slice(0, perSource).map(([fact]) => fetchSeries(s.source, fact, from, to).then((r) => r.points, () => [])));
    const rows = facts.map(([fact, value], i) => [
      h('span', { class: 'name' }, fact),
      String(value),
      i < lines.length ? sparkline(lines[i], `${fact} of ${s.source}, last 24 hours`) : h('span', { class: 'muted' }, '—'),
    ]);
    return h('section', { class: 'source-card', 'data-source': s.source, 'aria-labelledby': `source-${s.source}` },
      h('h2', { id: `source-${s.source}` }, s.source),
      h('p', {}, 'Newest: ', h('a', { href: `#/snapshots/${s.latest.id}` }, timeEl(s.latest.receivedAt)), ` · ${s.count} stored · `,
        h('a', { href: `#/snapshots${qs({ source: s.source })}` }, 'all of them')),
      rows.length ? table(['Fact', 'Newest value', 'Last 24 hours'], rows, `Numeric facts of ${s.source}`) : h('p', { class: 'muted' }, 'No numeric fact in the newest snapshot.'));
  }));
  const list = await listOf(null);
  clear(main,
    h('h1', {}, 'Snapshots'),
    h('p', { class: 'muted' }, 'What each source sent last, and how each number moved over the last 24 hours (the newest value on the right). Retention decides how far back snapshots are kept.'),
    cards.length ? cards : h('p', { class: 'muted' }, 'No snapshot is stored yet.'),
    list);
  return {};
}

/** The stored snapshots, newest first, a page at a time (one source, or all). */
async function listOf(source, cursor) {
  const { data } = await call('listSnapshots', { query: { source, limit: 25, cursor } });
  const more = data.nextCursor
    ? h('p', {}, h('a', { href: `#/snapshots${qs({ source, cursor: data.nextCursor })}` }, 'Older snapshots'))
    : null;
  return h('section', { 'aria-labelledby': 'snapshot-list' },
    h('h2', { id: 'snapshot-list' }, source ? `Snapshots of ${source}` : 'Newest snapshots'),
    data.items.length
      ? table(['Received', 'Source', 'Numeric facts'], data.items.map((s) => [h('a', { href: `#/snapshots/${s.id}` }, timeEl(s.receivedAt)), s.source, String(numericFacts(s.metrics).length)]), 'Stored snapshots')
      : h('p', { class: 'muted' }, 'None.'),
    more);
}

/** #/snapshots?source=…&cursor=…: one source's snapshots, paged. */
export async function mountList(main, _ctx, view) {
  const source = view.query.get('source') || null;
  const list = await listOf(source, view.query.get('cursor') || undefined);
  clear(main, h('p', {}, h('a', { href: '#/snapshots' }, '← Snapshots')), h('h1', {}, source ? `Snapshots of ${source}` : 'Snapshots'), list);
  return {};
}
