import { call } from '../client.js';
import { badge, clear, h, table } from '../dom.js';
import { decisionCell } from '../decisions.js';
import { refusalText } from '../refusals.js';
import { rulePanel } from '../fact-charts.js';

const EXAMPLE = {
  source: 'console',
  timestamp: new Date().toISOString(),
  metrics: { errorRate: 0.07, ollama: { avgResponseTimeMs: 6200 }, memoryPercent: 71, diskPercent: 93 },
};

export async function mount(main, ctx) {
  if (!ctx.can('simulate')) {
    clear(main, h('h1', {}, 'Simulate'), h('p', { class: 'muted' }, 'Your role cannot run simulations (operator and above).'));
    return {};
  }
  const seen = new Set();
  // One entry per snapshot: several actions often come from the same one.
  const recent = (await call('listActions', { query: { limit: 100 } })).data.items.filter((a) => {
    const key = a.snapshotId ?? a.id;
    if (!a.snapshot || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const text = h('textarea', { id: 'snapshot', rows: '14', spellcheck: 'false', 'aria-describedby': 'snapshot-error' }, JSON.stringify(EXAMPLE, null, 2));
  const error = h('div', { id: 'snapshot-error', role: 'alert' });
  const results = h('div', { 'aria-live': 'polite' });
  const pick = h('select', { id: 'recent', onchange: (e) => {
    const a = recent.find((r) => r.id === e.target.value);
    if (a) text.value = JSON.stringify({ source: a.snapshot.source, timestamp: a.snapshot.timestamp, metrics: a.snapshot.metrics }, null, 2);
  } }, h('option', { value: '' }, 'Choose a recent snapshot…'), recent.map((a) => h('option', { value: a.id }, `${a.snapshot.timestamp} · ${a.snapshot.source} (fired ${a.rule})`)));

  const run = async (e) => {
    e.preventDefault();
    clear(error);
    let snapshot;
    try { snapshot = JSON.parse(text.value); } catch (err) { clear(error, h('p', { class: 'alert' }, `The snapshot is not valid JSON: ${err.message}`)); text.setAttribute('aria-invalid', 'true'); return; }
    try {
      const { data } = await call('simulate', { body: { snapshot } });
      text.removeAttribute('aria-invalid');
      const matched = data.results.filter((r) => r.matched).length;
      clear(results,
        h('h2', {}, 'Decisions'),
        h('p', {}, `Rules version ${data.rulesVersion}: ${matched} of ${data.results.length} rules match. Nothing was run or changed.`),
        table(['Rule', 'Matched', 'Decision', 'Reason'], data.results.map((r) => [h('span', { class: 'name' }, r.rule), r.matched ? badge('warning', 'yes') : badge('ok', 'no'), decisionCell(r), r.reason]), 'Simulated decisions'));
      ctx.announce(`Simulated: ${matched} rules match`);
      const first = data.results.find((r) => r.matched)?.rule;
      if (first && first !== chosen.value) { chosen.value = first; }
      source = typeof snapshot.source === 'string' ? snapshot.source : source;
      await showRule();
    } catch (err) {
      text.setAttribute('aria-invalid', 'true');
      clear(error, h('div', { class: 'alert' }, h('p', {}, refusalText(err)), h('ul', {}, (err.problem.errors ?? []).map((p) => h('li', {}, h('code', {}, p.pointer), `: ${p.message}`)))));
    }
  };

  // A rule's facts over the recent snapshots, with its threshold editable here (nothing is saved).
  const [rulesList, file] = await Promise.all([call('listRules'), call('getRulesFile')]);
  let fileRules = [];
  try { fileRules = JSON.parse(file.data.text).rules ?? []; } catch { fileRules = []; }
  let source = recent[0]?.snapshot?.source;
  let panel = null;
  const chartHost = h('div');
  const conditionsText = h('textarea', { id: 'sim-conditions', rows: '6', spellcheck: 'false', oninput: () => panel?.update() });
  const chosen = h('select', { id: 'sim-rule', onchange: () => void showRule() }, rulesList.data.rules.map((r) => h('option', { value: r.name }, r.name)));
  const showRule = async () => {
    panel?.dispose?.();
    const raw = fileRules.find((r) => r?.name === chosen.value);
    if (!raw) { clear(chartHost, h('p', { class: 'muted' }, 'That rule is not in the rules file on disk.')); return; }
    conditionsText.value = JSON.stringify(raw.conditions, null, 2);
    panel = await rulePanel(ctx, { rule: raw, conditions: () => JSON.parse(conditionsText.value), fileText: file.data.text, source });
    clear(chartHost, panel.el);
  };
  const chartSection = h('section', { 'aria-labelledby': 'sim-chart-title' },
    h('h2', { id: 'sim-chart-title' }, 'A rule over the recent snapshots'),
    h('p', { class: 'muted' }, 'Edit the threshold in the conditions to see where the line falls and how often the rule would have fired. Nothing is saved: the rule editor saves.'),
    h('label', { for: 'sim-rule' }, 'Rule'), chosen,
    h('label', { for: 'sim-conditions' }, 'Its conditions (edit to try a threshold)'), conditionsText,
    chartHost);

  clear(
    main,
    h('h1', {}, 'Simulate'),
    h('p', { class: 'muted' }, 'See what every rule would decide for a snapshot. A dry run: no cooldown, action or notification.'),
    h('form', { onsubmit: run },
      recent.length ? [h('label', { for: 'recent' }, 'Start from a recent snapshot'), pick] : null,
      h('label', { for: 'snapshot' }, 'Snapshot (JSON)'),
      text,
      error,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Simulate'))),
    results,
    chartSection,
  );
  if (rulesList.data.rules.length) await showRule();
  return { dispose: () => panel?.dispose?.() };
}
