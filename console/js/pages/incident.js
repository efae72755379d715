// @ts-check
import { qs } from '../api.js';
import { call } from '../client.js';
import { decisionCell } from '../decisions.js';
import { badge, clear, h, kv, table, timeEl } from '../dom.js';
import { groupText, incidentStateBadge } from '../incident-view.js';
import { refreshOnLive } from '../live-refresh.js';
import { MATCHER_FIELDS } from '../vocabulary.js';
import { incidentEvent } from './incidents.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

/** The badge colour of a moment, where its kind is not already a status the stylesheet colours. */
const KIND_CLASS = { opened: 'open-incident', alert: 'warning', decision: 'decision-kind', dispatched: 'running' };

/** @param {string | null | undefined} id */
const actionLink = (id) => (id ? h('a', { href: `#/actions/${id}` }, 'action') : null);

/**
 * One moment of the timeline: when, what kind, which rule, and what it says (a decision with its
 * kind, as decisions are shown everywhere), with links to the action and the snapshot.
 * @param {any} entry
 * @param {Map<string, any>} decisions the incident's decisions by rule and instant, for their details
 */
function moment(entry, decisions) {
  const decision = entry.kind === 'decision' ? decisions.get(`${entry.rule}|${entry.at}`) ?? { decision: entry.decision } : null;
  return h('li', { class: `moment kind-${entry.kind}`, 'data-kind': entry.kind },
    timeEl(entry.at), ' ', badge(/** @type {Record<string, string>} */ (KIND_CLASS)[entry.kind] ?? entry.kind, entry.kind),
    entry.rule ? [' ', h('a', { class: 'name', href: `#/rules/${encodeURIComponent(entry.rule)}` }, entry.rule)] : null,
    decision ? [' ', decisionCell(decision)] : null,
    ' — ', entry.detail,
    entry.actionId ? [' (', actionLink(entry.actionId), ')'] : null,
    entry.snapshotId ? [' (', h('a', { href: `#/snapshots/${entry.snapshotId}` }, 'snapshot'), ')'] : null);
}

/**
 * #/incidents/<id>: an incident's timeline — opened, every decision with its reason, dispatches,
 * approvals, results, verdicts, alerts, resolved — then its decisions, actions and alerts in
 * tables; "Create a silence" with its labels as matchers. Follows changes live.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const id = view.params[0] ?? '';
  const body = h('div');
  const render = async () => {
    const d = (await call('getIncident', { params: { id } })).data;
    const i = d.incident;
    const byMoment = new Map(d.decisions.map((x) => [`${x.rule}|${x.at}`, x]));
    // Its labels are matcher fields (source, target, rule, type, severity): a silence for what it groups.
    const matchers = Object.fromEntries(Object.entries(i.labels).filter(([k, v]) => v !== '' && /** @type {readonly string[]} */ (MATCHER_FIELDS).includes(k)));
    const silence = ctx.can('createSilence') && Object.keys(matchers).length
      ? h('a', { class: 'button secondary', href: `#/silences${qs(matchers)}` }, 'Create a silence for this incident')
      : null;
    clear(body,
      h('h1', {}, `Incident: ${groupText(i)}`),
      h('p', {}, incidentStateBadge(i)),
      kv([
        ['Opened', timeEl(i.openedAt)],
        ['Resolved', i.resolvedAt ? timeEl(i.resolvedAt) : '—'],
        ['Rules', d.rules.length ? d.rules.map((r, n) => [n ? ', ' : '', h('a', { class: 'name', href: `#/rules/${encodeURIComponent(r)}` }, r)]) : '—'],
        ['Triggering snapshot', d.snapshots[0] ? h('a', { href: `#/snapshots/${d.snapshots[0]}` }, d.snapshots[0]) : '—'],
        d.snapshots.length > 1 ? ['Snapshots', `${d.snapshots.length}`] : null,
        ['Told', d.notices.length ? d.notices.join(', ') : 'nothing yet (the group wait has not passed)'],
      ]),
      silence ? h('div', { class: 'actions' }, silence) : null,
      h('h2', {}, 'Timeline'),
      h('ol', { class: 'timeline', 'aria-label': 'Timeline' }, d.timeline.map((e) => moment(e, byMoment))),
      h('h2', {}, 'Decisions'),
      table(['When', 'Rule', 'Decision', 'Reason', 'Snapshot'], d.decisions.map((x) => [
        timeEl(x.at), h('span', { class: 'name' }, x.rule), decisionCell(x), x.reason,
        x.snapshotId ? h('a', { href: `#/snapshots/${x.snapshotId}` }, 'snapshot') : '—',
      ]), 'Decisions of the incident'),
      h('h2', {}, 'Actions'),
      d.actions.length
        ? table(['Created', 'Rule', 'Type', 'Status', 'Outcome', 'Approved or rejected by', 'Result'], d.actions.map((a) => [
          h('a', { href: `#/actions/${a.id}` }, timeEl(a.createdAt)), h('span', { class: 'name' }, a.rule), a.revertOf ? `${a.type} (revert)` : a.type,
          badge(a.status), a.outcome ? badge(a.outcome) : '—',
          a.decidedBy ? h('span', {}, `${a.decidedBy} `, timeEl(a.decidedAt)) : '—',
          a.error ?? a.summary ?? '—',
        ]), 'Actions of the incident')
        : h('p', { class: 'muted' }, 'No action: every rule was held back.'),
      h('h2', {}, 'Alerts'),
      d.alerts.length
        ? table(['When', 'Severity', 'Rule', 'Message'], d.alerts.map((a) => [timeEl(a.createdAt), badge(a.severity), h('span', { class: 'name' }, a.rule), a.message]), 'Alerts of the incident')
        : h('p', { class: 'muted' }, 'No alert.'));
  };
  await render();
  clear(main, h('p', {}, h('a', { href: '#/incidents' }, '← Incidents')), body);
  return refreshOnLive(render, { when: incidentEvent });
}
