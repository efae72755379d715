import { call } from '../client.js';
import { badge, clear, h, json, kv, table, timeEl } from '../dom.js';
import { decisionCell } from '../decisions.js';
import { refusalText } from '../refusals.js';
import { numericFacts } from './snapshots.js';


/** #/snapshots/<id>: one stored snapshot, and what the rules in force decide for it (simulate: nothing runs). */
export async function mount(main, ctx, view) {
  const id = view.params[0];
  const s = (await call('getSnapshot', { params: { id } })).data;
  const decisions = h('div', { 'aria-live': 'polite' });
  if (ctx.can('simulate')) {
    try {
      const { data } = await call('simulate', { body: { snapshot: { source: s.source, timestamp: s.timestamp, metrics: s.metrics } } });
      const matched = data.results.filter((r) => r.matched).length;
      clear(decisions,
        h('p', {}, `Against the rules in force (version ${data.rulesVersion}), now: ${matched} of ${data.results.length} rules match. Simulated: nothing was run or changed.`),
        table(['Rule', 'Matched', 'Decision', 'Reason'], data.results.map((r) => [h('a', { class: 'name', href: `#/rules/${encodeURIComponent(r.rule)}` }, r.rule), r.matched ? badge('warning', 'yes') : badge('ok', 'no'), decisionCell(r), r.reason]), 'Decisions for this snapshot'));
    } catch (err) {
      clear(decisions, h('p', { class: 'alert' }, refusalText(err)));
    }
  } else {
    clear(decisions, h('p', { class: 'muted' }, 'Simulating it against the rules needs the operator role.'));
  }
  clear(main,
    h('p', {}, h('a', { href: '#/snapshots' }, '← Snapshots')),
    h('h1', {}, `Snapshot of ${s.source}`),
    kv([['Received', timeEl(s.receivedAt)], ['Source says', timeEl(s.timestamp)], ['Source', h('a', { href: `#/snapshots?source=${encodeURIComponent(s.source)}` }, s.source)], ['Id', s.id]]),
    h('h2', {}, 'Decisions of the rules in force'),
    decisions,
    h('h2', {}, 'Numeric facts'),
    table(['Fact', 'Value'], numericFacts(s.metrics).map(([f, v]) => [h('span', { class: 'name' }, f), String(v)]), 'Numeric facts'),
    h('h2', {}, 'Metrics as sent'),
    json(s.metrics));
  return {};
}
