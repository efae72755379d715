import { call } from './client.js';
import { timeChart } from './chart.js';
import { clear, fmtTime, h } from './dom.js';

/** The numeric comparisons a chart can draw a threshold for. */
const COMPARISONS = new Set(['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive', 'equal', 'notEqual']);
/** A path of plain names: `$.a.b` (what GET /series reads as a dotted path). */
const SIMPLE_PATH = /^\$((\.[A-Za-z0-9_-]+)*)$/;

/**
 * The facts a rule's conditions read, as dotted paths the series route takes, each with the first
 * numeric threshold it is compared with: `{ fact: 'ollama', path: '$.avgResponseTimeMs', value: 5000 }`
 * → `{ dotted: 'ollama.avgResponseTimeMs', threshold: 5000, operator: 'greaterThan' }`.
 */
export function factsOf(conditions) {
  const found = new Map();
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    for (const key of ['all', 'any']) if (Array.isArray(node[key])) node[key].forEach(walk);
    if (node.not) walk(node.not);
    if (typeof node.fact !== 'string' || !/^[A-Za-z0-9_-]+$/.test(node.fact)) return;
    const m = node.path === undefined ? ['$', ''] : SIMPLE_PATH.exec(node.path);
    if (!m) return;
    const dotted = `${node.fact}${m[1]}`;
    const operator = String(node.operator ?? '').replace(/^not:/, '');
    const threshold = COMPARISONS.has(operator) && typeof node.value === 'number' ? node.value : null;
    const seen = found.get(dotted);
    if (!seen) found.set(dotted, { dotted, threshold, operator: node.operator });
    else if (seen.threshold === null && threshold !== null) Object.assign(seen, { threshold, operator: node.operator });
  };
  walk(conditions);
  return [...found.values()];
}

export async function fetchSeries(source, fact, from, to) {
  return (await call('getSeries', { query: { source, fact, from: new Date(from).toISOString(), to: new Date(to).toISOString() } })).data;
}

/**
 * One chart per fact; a fact never stored for the source says so instead of drawing nothing.
 * @param {{ source: string, fact: { dotted: string }, from: number, to: number, threshold?: number | null,
 *   markers?: { label: string, t: number }[], band?: { from: number, to: number, label: string } | null, title?: string }} options
 */
export async function factChart({ source, fact, from, to, threshold = null, markers = [], band = null, title }) {
  const series = await fetchSeries(source, fact.dotted ?? fact, from, to);
  return timeChart({ title: title ?? `${fact.dotted ?? fact} (${source})`, points: series.points, span: { from, to }, threshold, markers, band });
}

/** Replays `source`'s stored snapshots of [from, to] with `rule` in place of the rule of that name; how often it would have fired. */
export async function firedCount({ fileText, rule, source, from, to }) {
  const file = JSON.parse(fileText);
  // Counted as if enabled: a disabled rule is never evaluated, and the question is what this one would do.
  const candidate = { ...rule, enabled: true };
  file.rules = (file.rules ?? []).map((r) => (r?.name === rule.name ? candidate : r));
  const { data } = await call('replay', {
    body: { rules: file, from: new Date(from).toISOString(), to: new Date(to).toISOString(), sources: [source], approvals: 'approve', limit: 1 },
  });
  const row = data.summary.find((r) => r.rule === rule.name) ?? {};
  return { fired: (row.execute ?? 0) + (row.require_approval ?? 0) + (row.shadow ?? 0), snapshots: data.snapshots, row };
}

/**
 * The rule editor's and Simulate's panel: the recent series of each fact the rule reads, for one
 * source, with the threshold being edited drawn over it, and how many times the rule as edited
 * would have fired over that span (replay; operator role). `conditions()` (and `rule`, when a
 * function) are read again on `update()`: thresholds move at once, the replay count follows after a
 * pause in typing.
 */
export async function rulePanel(ctx, { rule, conditions, fileText, source: preferred, spanMs = 24 * 3_600_000 }) {
  // The rule as edited so far (the editor passes a function: cooldown or mode edits change the count too).
  const ruleNow = typeof rule === 'function' ? rule : () => rule;
  const sources = (await call('listSnapshotSources')).data.items.map((s) => s.source);
  const panel = h('section', { class: 'panel rule-series', 'aria-labelledby': 'rule-series-title' });
  if (sources.length === 0) {
    clear(panel, h('h2', { id: 'rule-series-title' }, 'The facts it reads, recently'), h('p', { class: 'muted' }, 'No snapshot is stored yet: nothing to draw.'));
    return { el: panel, update() {} };
  }
  let source = sources.includes(preferred) ? preferred : sources[0];
  const to = Date.now();
  const from = to - spanMs;
  const picker = h('select', { id: 'series-source', onchange: (e) => { source = e.target.value; void rebuild(); } }, sources.map((s) => h('option', { value: s, selected: s === source }, s)));
  const charts = h('div', { class: 'charts' });
  const fired = h('p', { role: 'status', id: 'fired-count' });
  let drawn = [];
  let drawnKey = '';
  let timer = null;
  let ticket = 0;

  const current = () => {
    try { return factsOf(conditions()); } catch { return null; }
  };
  const countFired = async () => {
    const mine = ++ticket;
    if (!ctx.can('replay')) { clear(fired, 'How often it would have fired needs a replay (operator role and above).'); return; }
    let conds;
    try { conds = conditions(); } catch { clear(fired, 'The conditions are not valid JSON: no replay.'); return; }
    clear(fired, 'Replaying…');
    try {
      const edited = ruleNow();
      const r = await firedCount({ fileText, rule: { ...edited, conditions: conds }, source, from, to });
      if (mine !== ticket) return;
      fired.dataset.fired = String(r.fired);
      clear(fired, h('strong', {}, `Would have fired ${r.fired} time${r.fired === 1 ? '' : 's'}`), ` over the ${r.snapshots} snapshots of ${source} from ${fmtTime(from)} to ${fmtTime(to)} (replay, cooldowns and budgets included${edited.enabled === false ? '; counted as if enabled' : ''}).`);
    } catch (err) {
      if (mine !== ticket) return;
      delete fired.dataset.fired;
      clear(fired, `No replay: ${err.problem?.errors?.[0] ? `${err.problem.errors[0].pointer}: ${err.problem.errors[0].message}` : err.message}`);
    }
  };
  const rebuild = async () => {
    const facts = current();
    if (!facts) return;
    drawnKey = `${source}|${facts.map((f) => f.dotted).join(',')}`;
    drawn.forEach((c) => c.chart.destroy());
    drawn = [];
    const built = await Promise.all(facts.map(async (f) => ({ fact: f, chart: await factChart({ source, fact: f, from, to, threshold: f.threshold }) })));
    drawn = built;
    clear(charts, facts.length ? built.map((c) => c.chart.el) : h('p', { class: 'muted' }, 'The conditions compare no fact this page can draw (a fact with a plain path).'));
    void countFired();
  };
  const update = () => {
    const facts = current();
    if (!facts) return;
    if (`${source}|${facts.map((f) => f.dotted).join(',')}` !== drawnKey) { void rebuild(); return; }
    for (const c of drawn) {
      const now = facts.find((f) => f.dotted === c.fact.dotted);
      c.chart.setThreshold(now?.threshold ?? null);
    }
    clearTimeout(timer);
    timer = setTimeout(() => void countFired(), 600);
  };
  clear(panel,
    h('h2', { id: 'rule-series-title' }, 'The facts it reads, recently'),
    h('p', { class: 'muted' }, `The last ${Math.round(spanMs / 3_600_000)} hours of stored snapshots; the dashed line is the threshold as edited.`),
    h('div', { class: 'filters' }, h('div', {}, h('label', { for: 'series-source' }, 'Source'), picker)),
    fired,
    charts);
  await rebuild();
  return { el: panel, update, dispose: () => { clearTimeout(timer); drawn.forEach((c) => c.chart.destroy()); } };
}
