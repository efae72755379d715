import { api, qs } from '../api.js';
import { clear, fmtTime, h, table } from '../dom.js';

const WINDOWS = ['24h', '7d', '30d'];
const pct = (r) => (r === null || r === undefined ? '—' : `${Math.round(r * 100)} %`);
const secs = (s) => (s === null || s === undefined ? '—' : s < 120 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

function rows(list, key) {
  return list.map((r) => [r[key], String(r.dispatched), String(r.succeeded), String(r.failed), String(r.effective), String(r.ineffective), String(r.unknown), String(r.reverted), pct(r.effectiveRate), secs(r.medianRecoverySeconds), secs(r.medianApprovalWaitSeconds)]);
}
const HEAD = ['Dispatched', 'Succeeded', 'Failed', 'Effective', 'Ineffective', 'Unknown', 'Reverted', 'Effective rate', 'Median recovery', 'Median approval wait'];

/** GET /api/self-healing/stats: how well each rule and action type does, over a window. */
export async function mount(main, ctx, view) {
  const window = WINDOWS.includes(view.query.get('window')) ? view.query.get('window') : '24h';
  const { data } = await api('GET', `/api/self-healing/stats${qs({ window })}`);
  const picker = h('form', { class: 'filters panel', 'aria-label': 'Window', onsubmit: (e) => { e.preventDefault(); ctx.navigate(`#/stats${qs({ window: new FormData(e.target).get('window') })}`); } },
    h('div', {}, h('label', { for: 'stats-window' }, 'Window'), h('select', { id: 'stats-window', name: 'window' }, WINDOWS.map((w) => h('option', { value: w, selected: w === window }, w)))),
    h('div', {}, h('button', { type: 'submit' }, 'Show')));
  clear(
    main,
    h('h1', {}, 'Statistics'),
    picker,
    h('p', { class: 'muted' }, `Actions created from ${fmtTime(data.from)} to ${fmtTime(data.to)}. Effective rate: effective / (effective + ineffective).`),
    h('h2', {}, 'By rule'),
    data.rules.length ? table(['Rule', ...HEAD], rows(data.rules, 'rule'), 'Statistics by rule') : h('p', { class: 'muted' }, 'No action in this window.'),
    h('h2', {}, 'By action type'),
    data.types.length ? table(['Type', ...HEAD], rows(data.types, 'type'), 'Statistics by action type') : h('p', { class: 'muted' }, 'No action in this window.'),
  );
  let timer = null;
  return {
    onEvent: (e) => { if (e.type.startsWith('action.')) { clearTimeout(timer); timer = setTimeout(() => void mount(main, ctx, view), 500); } },
    dispose: () => clearTimeout(timer),
  };
}
