// @ts-check
import { call } from '../client.js';
import { badge, clear, fmtTime, h, json, kv, table, timeEl } from '../dom.js';
import { factChart, factsOf } from '../fact-charts.js';
import { act } from '../act.js';
import { actionEvent, refreshOnLive } from '../live-refresh.js';
import { ACTION_SPECS } from '../vocabulary.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

/** @param {any} a an action as GET /api/self-healing/actions/{id} gives it */
function lifecycle(a) {
  const steps = /** @type {[string, string, string][]} */ ([
    ['Asked for', a.createdAt, `by ${a.requestedBy}`],
    a.decidedAt ? [a.status === 'rejected' ? 'Rejected' : 'Approved', a.decidedAt, `by ${a.decidedBy}${a.decisionComment ? ` — “${a.decisionComment}”` : ''}`] : null,
    a.startedAt ? ['Started', a.startedAt, a.runner ? `on ${a.runner}` : ''] : null,
    a.finishedAt ? [`Finished (${a.status})`, a.finishedAt, ''] : null,
    a.status === 'expired' ? ['Expired', a.expiresAt, 'nobody decided in time'] : null,
    a.verifyUntil && a.outcome === 'pending' ? ['Verification window ends', a.verifyUntil, ''] : null,
    a.outcomeAt ? [`Outcome: ${a.outcome}`, a.outcomeAt, ''] : null,
    a.recoveredAt ? ['Recovered', a.recoveredAt, ''] : null,
  ].filter(Boolean));
  // In the order things happened (a recovery comes before the outcome that records it); ties keep their place.
  steps.sort((x, y) => Date.parse(x[1]) - Date.parse(y[1]));
  return h('ol', { class: 'lifecycle' }, steps.map(([what, when, note]) => h('li', {}, h('strong', {}, what), ' — ', timeEl(when), ' ', note)));
}

const MINUTE = 60_000;

/**
 * Each fact the rule's conditions read, from the triggering snapshot's source, over a span around
 * the action: the threshold as a line, the dispatch, approval, revert and recovery as markers, the
 * verification window shaded.
 */
async function factCharts(a, revertedBy) {
  if (!a.snapshot) return [h('p', { class: 'muted' }, 'No triggering snapshot (a manual trigger or a revert): there is no source to draw.')];
  const rule = await call('getRule', { params: { name: a.rule } }).then((r) => r.data.rule, () => null);
  if (!rule) return [h('p', { class: 'muted' }, `The rule ${a.rule} is no longer in force: its conditions cannot be drawn.`)];
  const facts = factsOf(rule.conditions);
  if (facts.length === 0) return [h('p', { class: 'muted' }, 'The rule compares no fact this page can draw (a fact with a plain path).')];
  /** @param {string | null | undefined} iso @returns {number} */
  const at = (iso) => (iso ? Date.parse(iso) : NaN);
  const markers = /** @type {[string, number][]} */ ([
    ['dispatched', at(a.createdAt)],
    a.decidedAt ? [a.status === 'rejected' ? 'rejected' : 'approved', at(a.decidedAt)] : null,
    revertedBy ? ['reverted', at(revertedBy.createdAt)] : null,
    a.recoveredAt ? ['recovered', at(a.recoveredAt)] : null,
  ].filter(Boolean)).map(([label, t]) => ({ label, t }));
  const windowStart = a.finishedAt ? at(a.finishedAt) : a.startedAt ? at(a.startedAt) : null;
  const band = a.verifyUntil && windowStart ? { from: windowStart, to: at(a.verifyUntil), label: 'verification window' } : null;
  const pad = Math.max(10 * MINUTE, (a.verify?.windowMinutes ?? 0) * MINUTE);
  const from = at(a.createdAt) - pad;
  const last = Math.max(...markers.map((m) => m.t), band?.to ?? 0);
  const to = Math.max(Math.min(last + pad, Date.now()), last + MINUTE);
  const charts = await Promise.all(facts.map((f) => factChart({ source: a.snapshot.source, fact: f, from, to, threshold: f.threshold, markers, band, title: `${f.dotted} (${a.snapshot.source})` })));
  return charts;
}

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const id = view.params[0];
  const message = h('div', { role: 'status' });
  /** @param {{ id: string, rule: string }} a */
  const revert = async (a) => {
    await act(message, async () => (await call('revertAction', { params: { id: a.id } })).data, {
      busy: 'Reverting — the inverse runs now…',
      done: (r) => ['Revert ', badge(r.status), r.result?.summary ? ` — ${r.result.summary}` : r.error ? ` — ${r.error}` : '', ' ', h('a', { href: `#/actions/${r.id}` }, 'See the revert')],
      failed: (r) => r.status === 'failed',
      say: (r) => `Revert of ${a.rule}: ${r.status}`,
      announce: ctx.announce,
    });
    // Reverted (here or elsewhere meanwhile): show the action as it is now; the message stays.
    await render().catch(() => undefined);
  };
  let charts = [];
  const render = async () => {
    const a = (await call('getAction', { params: { id } })).data;
    // A failover and its failbacks point at each other (docs/strategies/model-failover.md); the service says which type fails back.
    const failbacks = ACTION_SPECS[a.type]?.failsBack && !a.failbackOf && !a.revertOf
      ? await call('listActions', { query: { failbackOf: a.id, limit: 20 } }).then((r) => r.data.items, () => [])
      : [];
    const revertedBy = a.revertedBy ? await call('getAction', { params: { id: a.revertedBy } }).then((r) => r.data, () => null) : null;
    const drawn = await factCharts(a, revertedBy).catch((err) => [h('p', { class: 'alert' }, `The charts could not be drawn: ${err.message}`)]);
    charts.forEach((c) => c.destroy?.());
    charts = drawn.filter((c) => c.el);
    const checks = a.result?.checks ?? [];
    // The service refuses the rest with 409 (no_inverse, not_succeeded, is_a_revert, already_reverted): offer only what can work.
    const revertible = a.status === 'succeeded' && ACTION_SPECS[a.type]?.revertible && !a.revertOf && !a.revertedBy && ctx.can('revertAction');
    clear(
      main,
      h('p', {}, h('a', { href: '#/history' }, '← History')),
      h('h1', {}, `${a.rule}: ${a.type}${a.revertOf ? ' (revert)' : ''}`),
      h('p', {}, badge(a.status), ' ', badge(a.severity), a.outcome ? [' outcome ', badge(a.outcome)] : null),
      message,
      a.incidentId ? h('p', { class: 'link-incident' }, 'Part of ', h('a', { href: `#/incidents/${a.incidentId}` }, 'an incident'), '.') : null,
      a.failbackOf ? h('p', { class: 'link-failback' }, 'Automatic failback to the primary, after ', h('a', { href: `#/actions/${a.failbackOf}` }, 'the failover'), '.') : null,
      failbacks.length
        ? h('p', { class: 'link-failback' }, 'Failed back by ', failbacks.map((fb, i) => [i ? ', ' : '', h('a', { href: `#/actions/${fb.id}` }, `the failback of ${fmtTime(fb.createdAt)}`), ' ', badge(fb.status), fb.outcome ? [' ', badge(fb.outcome)] : null]), '.')
        : null,
      a.revertOf ? h('p', { class: 'link-revert' }, 'This action reverts ', h('a', { href: `#/actions/${a.revertOf}` }, 'the original action'), '.') : null,
      a.revertedBy
        ? h('p', { class: 'link-revert' }, 'Reverted by ', h('a', { href: `#/actions/${a.revertedBy}` }, revertedBy ? `the revert of ${fmtTime(revertedBy.createdAt)}` : 'its revert'), revertedBy ? [' ', badge(revertedBy.status), ` (by ${revertedBy.requestedBy})`] : null)
        : null,
      revertible ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => revert(a) }, 'Revert this action')) : null,
      h('h2', {}, 'The facts behind it'),
      h('div', { class: 'charts action-charts' }, drawn.map((c) => c.el ?? c)),
      h('h2', {}, 'Verification'),
      kv([
        ['Outcome', a.outcome ? badge(a.outcome) : a.revertOf ? 'reverts are not verified' : 'not verified'],
        ['Window', a.verify ? `${a.verify.windowMinutes} min, if ineffective: ${a.verify.onIneffective}` : '—'],
        ['Window ends', timeEl(a.verifyUntil)],
        ['Decided', timeEl(a.outcomeAt)],
        ['Recovered', timeEl(a.recoveredAt)],
        ['Target', a.target ?? '—'],
        a.forcedApproval ? ['Forced approval', `approved although snapshot ${a.forcedApproval.snapshotId} no longer matched`] : null,
      ]),
      h('h2', {}, 'Lifecycle'),
      lifecycle(a),
      h('h2', {}, 'Result'),
      kv([
        ['Summary', a.result?.summary ?? '—'],
        ['Changed anything', a.result ? (a.result.changed ? 'yes' : 'no') : '—'],
        ['Error', a.error ?? '—'],
      ]),
      h('h2', {}, 'Checks'),
      checks.length
        ? table(['Check', 'Passed', 'Detail', 'Took'], checks.map((c) => [c.name, c.ok ? badge('ok', 'yes') : badge('failed', 'no'), c.detail ?? '—', c.durationMs === undefined ? '—' : `${c.durationMs} ms`]), 'Checks')
        : h('p', { class: 'muted' }, 'No checks recorded.'),
      a.result?.details ? [h('h2', {}, 'Details'), json(a.result.details)] : null,
      h('h2', {}, 'Parameters'),
      json(a.params),
      h('h2', {}, 'Matched facts'),
      json(a.matchedFacts ?? {}),
      a.snapshot ? [h('h2', {}, 'Triggering snapshot'), kv([['Source', a.snapshot.source], ['Time', timeEl(a.snapshot.timestamp)], a.snapshotId ? ['Snapshot', h('a', { href: `#/snapshots/${a.snapshotId}` }, a.snapshotId)] : null]), json(a.snapshot.metrics)] : null,
    );
  };
  await render();
  // Its own events (verified, ineffective, …) and a revert's arrive under different ids: follow any action event.
  const live = refreshOnLive(render, { when: actionEvent });
  return { onEvent: live.onEvent, dispose: () => { live.dispose(); charts.forEach((c) => c.destroy()); } };
}
