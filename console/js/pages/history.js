import { api, qs } from '../api.js';
import { badge, clear, h, table, timeEl } from '../dom.js';

const STATUSES = ['pending_approval', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired'];
const TYPES = ['model_failover', 'prompt_rollback', 'service_restart', 'throttle', 'alert_only'];
const OUTCOMES = ['pending', 'effective', 'ineffective', 'unknown'];

function select(id, label, options, value) {
  return [
    h('label', { for: id }, label),
    h('select', { id, name: id }, h('option', { value: '' }, 'Any'), options.map((o) => h('option', { value: o, selected: o === value }, o))),
  ];
}

/** datetime-local (local time) ⇄ ISO */
const toLocal = (iso) => (iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
const toIso = (local) => (local ? new Date(local).toISOString() : '');

export async function mount(main, ctx, view) {
  const q = view.query;
  const rules = (await api('GET', '/api/self-healing/rules')).data.rules.map((r) => r.name);
  const params = {
    status: q.get('status') ?? '',
    rule: q.get('rule') ?? '',
    type: q.get('type') ?? '',
    outcome: q.get('outcome') ?? '',
    since: q.get('since') ?? '',
    until: q.get('until') ?? '',
    cursor: q.get('cursor') ?? '',
  };
  let data;
  let error = null;
  try {
    data = (await api('GET', `/api/self-healing/actions${qs({ ...params, limit: 25 })}`)).data;
  } catch (err) {
    error = err;
    data = { items: [], nextCursor: null };
  }
  // Actions that are not verified (failed, rejected, verification off) carry no outcome at all.
  const hasOutcome = ctx.has('get', '/api/self-healing/stats');

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
    h('div', {}, select('status', 'Status', STATUSES, params.status)),
    h('div', {}, select('rule', 'Rule', rules, params.rule)),
    h('div', {}, select('type', 'Type', TYPES, params.type)),
    hasOutcome ? h('div', {}, select('outcome', 'Outcome', OUTCOMES, params.outcome)) : null,
    h('div', {}, h('label', { for: 'since' }, 'From'), h('input', { id: 'since', name: 'since', type: 'datetime-local', value: toLocal(params.since) })),
    h('div', {}, h('label', { for: 'until' }, 'To'), h('input', { id: 'until', name: 'until', type: 'datetime-local', value: toLocal(params.until) })),
    h('div', {}, h('button', { type: 'submit' }, 'Apply filters')),
  );

  const rows = data.items.map((a) => [
    h('a', { href: `#/actions/${a.id}` }, timeEl(a.createdAt)),
    a.rule,
    a.type,
    badge(a.status),
    a.outcome ? badge(a.outcome) : '—',
    a.revertOf ? 'a revert' : a.revertedBy ? 'reverted' : '—',
    a.decidedBy ?? '—',
  ]);
  const { cursor, ...withoutCursor } = params;
  const pager = h('nav', { class: 'actions', 'aria-label': 'Pages' },
    cursor ? h('a', { class: 'button secondary', href: `#/history${qs(withoutCursor)}` }, 'First page') : null,
    data.nextCursor ? h('a', { class: 'button secondary', href: `#/history${qs({ ...withoutCursor, cursor: data.nextCursor })}` }, 'Next page') : null,
  );
  clear(
    main,
    h('h1', {}, 'History'),
    form,
    error ? h('p', { class: 'alert', role: 'alert' }, error.message) : null,
    rows.length ? table(['When', 'Rule', 'Type', 'Status', 'Outcome', 'Revert', 'Decided by'], rows, 'Actions') : h('p', { class: 'muted' }, 'No action matches.'),
    pager,
  );
  let timer = null;
  return {
    // Only the first page follows live changes; later pages stay put while someone reads them.
    onEvent: (e) => { if (!cursor && e.type.startsWith('action.')) { clearTimeout(timer); timer = setTimeout(() => void mount(main, ctx, view), 300); } },
    dispose: () => clearTimeout(timer),
  };
}
