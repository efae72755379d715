// @ts-check
import { call } from '../client.js';
import { badge, clear, h, linkIds, table, timeEl } from '../dom.js';
import { act } from '../act.js';
import { refreshOnLive } from '../live-refresh.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

/**
 * Open (or all) alerts, acknowledged from here; new ones appear live.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const showAll = view.query.get('all') === '1';
  const message = h('div', { role: 'status' });
  const body = h('div');
  const canAck = ctx.can('acknowledgeAlert');
  const render = async () => {
    const { data } = await call('listAlerts', { query: { acknowledged: showAll ? undefined : 'false', limit: 100 } });
    const rows = data.items.map((a) => [
      timeEl(a.createdAt),
      badge(a.severity),
      h('span', { class: 'name' }, a.rule),
      h('span', {}, linkIds(a.message)),
      a.acknowledgedAt
        ? h('span', {}, `by ${a.acknowledgedBy} `, timeEl(a.acknowledgedAt))
        : canAck
          ? h('button', { type: 'button', 'aria-label': `Acknowledge ${a.rule}: ${a.message}`, onclick: async () => {
            await act(message, () => call('acknowledgeAlert', { params: { id: a.id }, body: { by: ctx.who.name ?? 'console' } }), {
              done: () => `Alert of ${a.rule} acknowledged.`, say: () => 'Alert acknowledged', announce: ctx.announce,
            });
            await render();
          } }, 'Acknowledge')
          : 'open',
    ]);
    clear(body, rows.length ? table(['When', 'Severity', 'Rule', 'Message', 'Acknowledged'], rows, 'Alerts') : h('p', { class: 'muted' }, showAll ? 'No alerts.' : 'No open alerts.'));
  };
  clear(main, h('h1', {}, 'Alerts'),
    h('p', {}, showAll ? h('a', { href: '#/alerts' }, 'Show open alerts only') : h('a', { href: '#/alerts?all=1' }, 'Show acknowledged alerts too')),
    message, body);
  await render();
  return refreshOnLive(render, { when: (e) => e.type === 'alert.created' });
}
