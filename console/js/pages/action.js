import { api, qs } from '../api.js';
import { badge, clear, fmtTime, h, json, kv, table } from '../dom.js';
import { refusalText } from '../refusals.js';

const REVERT = '/api/self-healing/actions/{id}/revert';

function lifecycle(a) {
  const steps = [
    ['Asked for', a.createdAt, `by ${a.requestedBy}`],
    a.decidedAt ? [a.status === 'rejected' ? 'Rejected' : 'Approved', a.decidedAt, `by ${a.decidedBy}${a.decisionComment ? ` — “${a.decisionComment}”` : ''}`] : null,
    a.startedAt ? ['Started', a.startedAt, a.runner ? `on ${a.runner}` : ''] : null,
    a.finishedAt ? [`Finished (${a.status})`, a.finishedAt, ''] : null,
    a.status === 'expired' ? ['Expired', a.expiresAt, 'nobody decided in time'] : null,
    a.outcomeAt ? [`Outcome: ${a.outcome}`, a.outcomeAt, ''] : null,
    a.recoveredAt ? ['Recovered', a.recoveredAt, ''] : null,
  ].filter(Boolean);
  return h('ol', { class: 'lifecycle' }, steps.map(([what, when, note]) => h('li', {}, h('strong', {}, what), ` — ${fmtTime(when)} `, note)));
}

export async function mount(main, ctx, view) {
  const id = view.params[0];
  const render = async () => {
    const a = (await api('GET', `/api/self-healing/actions/${encodeURIComponent(id)}`)).data;
    // The reverse link (this action's revert) is found among the recent actions of its rule.
    let reverts = [];
    if ('outcome' in a) {
      const recent = (await api('GET', `/api/self-healing/actions${qs({ rule: a.rule, limit: 100 })}`)).data.items;
      reverts = recent.filter((r) => r.revertOf === a.id);
    }
    const message = h('div', { role: 'status' });
    const checks = a.result?.checks ?? [];
    clear(
      main,
      h('p', {}, h('a', { href: '#/history' }, '← History')),
      h('h1', {}, `${a.rule}: ${a.type}`),
      h('p', {}, badge(a.status), ' ', badge(a.severity), 'outcome' in a ? [' outcome ', badge(a.outcome ?? 'pending')] : null),
      message,
      a.revertOf ? h('p', {}, 'This action reverts ', h('a', { href: `#/actions/${a.revertOf}` }, 'an earlier action'), '.') : null,
      reverts.map((r) => h('p', {}, 'Reverted by ', h('a', { href: `#/actions/${r.id}` }, `action of ${fmtTime(r.createdAt)}`), ' ', badge(r.status))),
      'outcome' in a && a.status === 'succeeded' && !a.revertOf && reverts.length === 0 && ctx.can('post', REVERT)
        ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: async () => {
          try { await api('POST', `/api/self-healing/actions/${a.id}/revert`); await render(); }
          catch (err) { clear(message, h('p', { class: 'alert', role: 'alert' }, refusalText(err))); }
        } }, 'Revert this action'))
        : null,
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
      a.snapshot ? [h('h2', {}, 'Triggering snapshot'), kv([['Source', a.snapshot.source], ['Time', a.snapshot.timestamp]]), json(a.snapshot.metrics)] : null,
    );
  };
  await render();
  return { onEvent: (e) => { if (e.data?.action?.id === id) void render(); } };
}
