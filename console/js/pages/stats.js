// @ts-check
import { qs } from '../api.js';
import { call } from '../client.js';
import { clear, fmtTime, h, table } from '../dom.js';
import { actionEvent, refreshOnLive } from '../live-refresh.js';
import { rateBars, stackedBars } from '../svg.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

const WINDOWS = { '24h': 24 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const pct = (r) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)} %`);
const secs = (s) => (s === null || s === undefined ? '—' : s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);
/** The most actions read for the per-day chart and the escalated column (20 pages of 500). */
const MAX_ACTIONS = 10_000;

/** What became of an action, as the per-day chart stacks it. */
const OUTCOMES = ['effective', 'ineffective', 'unknown', 'pending', 'not verified', 'failed', 'rejected', 'expired', 'open', 'shadowed'];
const COLORS = {
  effective: '#146c2e', ineffective: '#b3261e', unknown: '#7a4f00', pending: '#0b57d0', 'not verified': '#767b81',
  failed: '#6d1b7b', rejected: '#c25e00', expired: '#a07400', open: '#4f7fd1', shadowed: '#b9bec4',
};
export function outcomeOf(a) {
  if (a.status === 'shadowed') return 'shadowed';
  if (a.status === 'failed') return 'failed';
  if (a.status === 'rejected') return 'rejected';
  if (a.status === 'expired') return 'expired';
  if (a.status === 'succeeded') return a.outcome ?? 'not verified';
  return 'open';
}
/** An ineffective action whose rule said "escalate" (and that nothing reverted): the verification raised an alert instead. */
const escalated = (a) => a.outcome === 'ineffective' && a.verify?.onIneffective === 'escalate' && !a.revertedBy;

async function actionsSince(since) {
  const items = [];
  let cursor;
  do {
    const { data } = await call('listActions', { query: { since, limit: 500, cursor } });
    items.push(...data.items);
    cursor = data.nextCursor;
  } while (cursor && items.length < MAX_ACTIONS);
  return { items, truncated: Boolean(cursor) };
}

/** Buckets of an hour (24h window) or a local day, from..to, each with its count per outcome. */
function perBucket(actions, from, to, hourly) {
  const start = new Date(from);
  if (hourly) start.setMinutes(0, 0, 0); else start.setHours(0, 0, 0, 0);
  const buckets = [];
  for (let t = start.getTime(); t <= to; ) {
    const d = new Date(t);
    const next = new Date(d);
    if (hourly) next.setHours(d.getHours() + 1); else next.setDate(d.getDate() + 1);
    buckets.push({ from: t, to: next.getTime(), label: hourly ? `${String(d.getHours()).padStart(2, '0')}h` : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }), counts: {} });
    t = next.getTime();
  }
  for (const a of actions) {
    if (a.revertOf) continue;
    const t = Date.parse(a.createdAt);
    const b = buckets.find((x) => t >= x.from && t < x.to);
    if (b) b.counts[outcomeOf(a)] = (b.counts[outcomeOf(a)] ?? 0) + 1;
  }
  return buckets;
}

function rows(list, key, escalatedBy) {
  return list.map((r) => [h('span', { class: 'name' }, r[key]), String(r.dispatched), String(r.succeeded), String(r.failed), String(r.rejected), String(r.expired), String(r.effective), String(r.ineffective), String(r.unknown), String(r.reverted), String(escalatedBy.get(r[key]) ?? 0), String(r.shadowed), pct(r.effectiveRate), secs(r.medianRecoverySeconds), secs(r.medianApprovalWaitSeconds)]);
}
const HEAD = ['Dispatched', 'Succeeded', 'Failed', 'Rejected', 'Expired', 'Effective', 'Ineffective', 'Unknown', 'Reverted', 'Escalated', 'Shadowed', 'Effective rate', 'Median recovery', 'Median approval wait'];

/**
 * GET /api/self-healing/stats: how well each rule and action type does, over a window; charts above
 * the tables; follows new actions live.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const asked = view.query.get('window') ?? '';
  const window = Object.hasOwn(WINDOWS, asked) ? asked : '24h';
  const picker = h('form', { class: 'filters panel', 'aria-label': 'Window', onsubmit: (e) => { e.preventDefault(); ctx.navigate(`#/stats${qs({ window: new FormData(e.target).get('window') })}`); } },
    h('div', {}, h('label', { for: 'stats-window' }, 'Window'), h('select', { id: 'stats-window', name: 'window' }, Object.keys(WINDOWS).map((w) => h('option', { value: w, selected: w === window }, w)))),
    h('div', {}, h('button', { type: 'submit' }, 'Show')));
  const body = h('div');
  await render(body, window);
  clear(main, h('h1', {}, 'Statistics'), picker, body);
  return refreshOnLive(() => render(body, window), { when: actionEvent, delayMs: 500 });
}

/**
 * @param {HTMLElement} body
 * @param {string} window
 */
async function render(body, window) {
  const { data } = await call('getStats', { query: { window } });
  const { items, truncated } = await actionsSince(data.from);
  const byRule = new Map();
  const byType = new Map();
  for (const a of items) if (escalated(a)) { byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1); byType.set(a.type, (byType.get(a.type) ?? 0) + 1); }
  const hourly = window === '24h';
  const buckets = perBucket(items, Date.parse(data.from), Date.parse(data.to), hourly);
  const used = OUTCOMES.filter((k) => buckets.some((b) => b.counts[k]));
  clear(
    body,
    h('p', { class: 'muted' }, `Actions created from ${fmtTime(data.from)} to ${fmtTime(data.to)}. Effective rate: effective / (effective + ineffective). Shadowed: what shadow-mode rules would have done (never run). Escalated: ineffective actions whose rule escalates rather than reverts.`),
    h('h2', {}, hourly ? 'Actions per hour, by outcome' : 'Actions per day, by outcome'),
    truncated ? h('p', { class: 'warnbox' }, `Only the newest ${items.length} actions are drawn.`) : null,
    used.length
      ? stackedBars(buckets, used, COLORS, hourly ? 'Actions per hour by outcome' : 'Actions per day by outcome')
      : h('p', { class: 'muted' }, 'No action in this window.'),
    h('h2', {}, 'Effective rate per rule'),
    data.rules.length ? rateBars(data.rules.map((r) => ({ label: r.rule, value: r.effectiveRate })), 'Effective rate per rule') : h('p', { class: 'muted' }, 'No action in this window.'),
    h('h2', {}, 'By rule'),
    data.rules.length ? table(['Rule', ...HEAD], rows(data.rules, 'rule', byRule), 'Statistics by rule') : h('p', { class: 'muted' }, 'No action in this window.'),
    h('h2', {}, 'By action type'),
    data.types.length ? table(['Type', ...HEAD], rows(data.types, 'type', byType), 'Statistics by action type') : h('p', { class: 'muted' }, 'No action in this window.'),
  );
}
