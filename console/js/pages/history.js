// @ts-check
import { qs } from '../api.js';
import { call } from '../client.js';
import { badge, clear, h, table, timeEl } from '../dom.js';
import { actionEvent, refreshOnLive } from '../live-refresh.js';
import { ACTION_OUTCOMES, ACTION_STATUSES, ACTION_TYPES } from '../vocabulary.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

/**
 * @param {string} id
 * @param {string} label
 * @param {readonly string[]} options
 * @param {string} value
 */
function select(id, label, options, value) {
  return [
    h('label', { for: id }, label),
    h('select', { id, name: id }, h('option', { value: '' }, 'Any'), options.map((o) => h('option', { value: o, selected: o === value }, o))),
  ];
}

/** datetime-local (local time) ⇄ ISO @param {string} iso */
const toLocal = (iso) => (iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
/** @param {FormDataEntryValue | null} local */
const toIso = (local) => (typeof local === 'string' && local ? new Date(local).toISOString() : '');

/**
 * The action history, filtered and paged; the first page follows new actions live.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  const q = view.query;
  const rules = (await call('listRules')).data.rules.map((r) => r.name);
  const params = {
    status: q.get('status') ?? '',
    rule: q.get('rule') ?? '',
    type: q.get('type') ?? '',
    outcome: q.get('outcome') ?? '',
    since: q.get('since') ?? '',
    until: q.get('until') ?? '',
    cursor: q.get('cursor') ?? '',
  };
  // Actions that are not verified (failed, rejected, verification off) carry no outcome at all.
  const hasOutcome = ctx.has('getStats');

  const form = h(
    'form',
    {
      class: 'filters panel',
      'aria-label': 'Filters',
      onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const next = {
          status: f.get('status'), rule: f.get('rule'), type: f.get('type'), outcome: f.get('outcome') ?? '',
          since: toIso(f.get('since')), until: toIso(f.get('until')),
        };
        ctx.navigate(`#/history${qs(next)}`);
      },
    },
    h('div', {}, select('status', 'Status', ACTION_STATUSES, params.status)),
    h('div', {}, select('rule', 'Rule', rules, params.rule)),
    h('div', {}, select('type', 'Type', ACTION_TYPES, params.type)),
    hasOutcome ? h('div', {}, select('outcome', 'Outcome', ACTION_OUTCOMES, params.outcome)) : null,
    h('div', {}, h('label', { for: 'since' }, 'From'), h('input', { id: 'since', name: 'since', type: 'datetime-local', value: toLocal(params.since) })),
    h('div', {}, h('label', { for: 'until' }, 'To'), h('input', { id: 'until', name: 'until', type: 'datetime-local', value: toLocal(params.until) })),
    h('div', {}, h('button', { type: 'submit' }, 'Apply filters')),
  );

  const { cursor, ...withoutCursor } = params;
  const results = h('div');
  const load = async () => {
    let data;
    /** @type {Error | null} */
    let error = null;
    try {
      data = (await call('listActions', { query: { ...params, limit: 25 } })).data;
    } catch (err) {
      error = /** @type {Error} */ (err);
      data = { items: [], nextCursor: null };
    }
    const rows = data.items.map((a) => [
      h('a', { href: `#/actions/${a.id}` }, timeEl(a.createdAt)),
      a.rule,
      a.type,
      badge(a.status),
      a.outcome ? badge(a.outcome) : '—',
      a.revertOf ? 'a revert' : a.revertedBy ? 'reverted' : '—',
      a.decidedBy ?? '—',
    ]);
    const pager = h('nav', { class: 'actions', 'aria-label': 'Pages' },
      cursor ? h('a', { class: 'button secondary', href: `#/history${qs(withoutCursor)}` }, 'First page') : null,
      data.nextCursor ? h('a', { class: 'button secondary', href: `#/history${qs({ ...withoutCursor, cursor: data.nextCursor })}` }, 'Next page') : null,
    );
    clear(
      results,
      error ? h('p', { class: 'alert', role: 'alert' }, error.message) : null,
      rows.length ? table(['When', 'Rule', 'Type', 'Status', 'Outcome', 'Revert', 'Decided by'], rows, 'Actions') : h('p', { class: 'muted' }, 'No action matches.'),
      pager,
    );
  };
  await load();
  clear(main, h('h1', {}, 'History'), form, results);
  // Only the first page follows live changes; later pages stay put while someone reads them.
  return refreshOnLive(load, { when: (e) => !cursor && actionEvent(e), delayMs: 300 });
}
