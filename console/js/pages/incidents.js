// @ts-check
import { qs } from '../api.js';
import { call } from '../client.js';
import { clear, h, table, timeEl } from '../dom.js';
import { incidentLink, incidentStateBadge } from '../incident-view.js';
import { refreshOnLive } from '../live-refresh.js';
import { INCIDENT_STATES } from '../vocabulary.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */
/** @typedef {import('../types').LiveEvent} LiveEvent */

/** What changes the list: an incident's own notices, and what its actions and alerts do. @param {LiveEvent} e */
export const incidentEvent = (e) => e.type.startsWith('incident.') || e.type.startsWith('action.') || e.type === 'alert.created';

/**
 * Incidents: what one cause set off, grouped; open ones first (the service's order), then resolved,
 * filtered by state and paged; the first page follows changes live.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  if (!ctx.has('listIncidents')) {
    clear(main, h('h1', {}, 'Incidents'), h('p', { class: 'muted' }, 'This service does not group incidents.'));
    return {};
  }
  const asked = view.query.get('state') ?? '';
  const state = /** @type {readonly string[]} */ (INCIDENT_STATES).includes(asked) ? asked : '';
  const cursor = view.query.get('cursor') ?? '';
  const results = h('div');
  const load = async () => {
    const { data } = await call('listIncidents', { query: { state, limit: 25, cursor } });
    clear(results,
      data.items.length
        ? table(['Incident', 'State', 'Opened'], data.items.map((i) => [incidentLink(i), incidentStateBadge(i), timeEl(i.openedAt)]), 'Incidents')
        : h('p', { class: 'muted' }, state === 'open' ? 'No open incident.' : 'No incident.'),
      h('nav', { class: 'actions', 'aria-label': 'Pages' },
        cursor ? h('a', { class: 'button secondary', href: `#/incidents${qs({ state })}` }, 'First page') : null,
        data.nextCursor ? h('a', { class: 'button secondary', href: `#/incidents${qs({ state, cursor: data.nextCursor })}` }, 'Next page') : null));
  };
  const picker = h('form', { class: 'filters panel', 'aria-label': 'Filters', onsubmit: (/** @type {SubmitEvent} */ e) => {
    e.preventDefault();
    ctx.navigate(`#/incidents${qs({ state: new FormData(/** @type {HTMLFormElement} */ (e.target)).get('state') })}`);
  } },
  h('div', {}, h('label', { for: 'incident-state' }, 'State'),
    h('select', { id: 'incident-state', name: 'state' }, h('option', { value: '' }, 'Any (open first)'), INCIDENT_STATES.map((s) => h('option', { value: s, selected: s === state }, s)))),
  h('div', {}, h('button', { type: 'submit' }, 'Show')));
  await load();
  clear(main, h('h1', {}, 'Incidents'),
    h('p', { class: 'muted' }, 'What one cause set off — its decisions, actions and alerts — grouped by source (docs/incidents.md).'),
    picker, results);
  // Only the first page follows live changes; later pages stay put while someone reads them.
  return refreshOnLive(load, { when: (e) => !cursor && incidentEvent(e), delayMs: 300 });
}
