// @ts-check
import { call } from '../client.js';
import { clear, h, json, kv, timeEl } from '../dom.js';
import { refreshOnLive } from '../live-refresh.js';
import { matchersText, scheduleText, silenceStateBadge } from '../silence-view.js';
import { expireButton } from './silences.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

/**
 * #/silences/<id>: one silence (a decision `silenced` links here), and Expire.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const id = view.params[0] ?? '';
  const message = h('div', { role: 'status' });
  const body = h('div');
  const render = async () => {
    const s = (await call('getSilence', { params: { id } })).data;
    clear(body,
      h('p', {}, silenceStateBadge(s)),
      kv([
        ['Matchers', matchersText(s.matchers)],
        ['Starts', timeEl(s.startsAt)],
        ['Ends', timeEl(s.endsAt)],
        ['Schedule', scheduleText(s.schedule)],
        ['Comment', s.comment],
        ['Created', h('span', {}, timeEl(s.createdAt), ` by ${s.createdBy}`)],
        s.expiredAt ? ['Expired', h('span', {}, timeEl(s.expiredAt), ` by ${s.expiredBy}`)] : null,
        ['Id', s.id],
      ]),
      h('div', { class: 'actions' }, expireButton(s, ctx, message, render)),
      h('details', {}, h('summary', {}, 'As the API gives it'), json(s)));
  };
  await render();
  clear(main, h('p', {}, h('a', { href: '#/silences' }, '← Silences')), h('h1', {}, 'Silence'), message, body);
  return refreshOnLive(render, { when: (e) => e.type.startsWith('silence.') });
}
