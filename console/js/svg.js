import { fmtTime, h } from './dom.js';

/**
 * Small charts drawn as SVG by hand (no library): a sparkline, stacked bars per day, horizontal bars.
 * Colours are presentation attributes, not inline styles, so the console's CSP holds. Each has an
 * accessible name saying what it shows; the numbers are in the table beside it.
 */
const NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const round = (v) => (Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3))));

/** A line of [ms, value] points, 120 × 28, scaled to its own range. */
export function sparkline(points, name) {
  const W = 120;
  const H = 28;
  const label = points.length
    ? `${name}: ${points.length} points from ${fmtTime(points[0][0])}, lowest ${round(Math.min(...points.map((p) => p[1])))}, highest ${round(Math.max(...points.map((p) => p[1])))}, last ${round(points[points.length - 1][1])}`
    : `${name}: no value in this span`;
  const svg = s('svg', { class: 'sparkline', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, 'data-points': points.length });
  if (points.length === 0) return svg;
  const t0 = points[0][0];
  const t1 = points[points.length - 1][0];
  const vs = points.map((p) => p[1]);
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  const x = (t) => (t1 === t0 ? W / 2 : ((t - t0) / (t1 - t0)) * (W - 4) + 2);
  const y = (v) => (hi === lo ? H / 2 : H - 2 - ((v - lo) / (hi - lo)) * (H - 4));
  svg.append(s('polyline', { points: points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' '), fill: 'none', stroke: '#0b57d0', 'stroke-width': 1.5 }));
  const [lt, lv] = points[points.length - 1];
  svg.append(s('circle', { cx: x(lt), cy: y(lv), r: 2.5, fill: '#0b57d0' }));
  return svg;
}

/**
 * Stacked bars: one per entry of `groups` ({ label, counts: { key: n } }), stacked in `keys` order
 * with `colors`, and a legend. `name` is the accessible name's start.
 */
export function stackedBars(groups, keys, colors, name) {
  const W = Math.max(320, groups.length * 28 + 48);
  const H = 180;
  const top = 10;
  const bottom = 34;
  const max = Math.max(1, ...groups.map((g) => keys.reduce((n, k) => n + (g.counts[k] ?? 0), 0)));
  const bw = Math.min(22, (W - 48) / Math.max(groups.length, 1) - 6);
  const scale = (n) => (n / max) * (H - top - bottom);
  const bars = [];
  groups.forEach((g, i) => {
    let y = H - bottom;
    const x = 40 + i * ((W - 48) / groups.length) + 3;
    for (const k of keys) {
      const n = g.counts[k] ?? 0;
      if (!n) continue;
      const hgt = scale(n);
      y -= hgt;
      bars.push(s('rect', { x: x.toFixed(1), y: y.toFixed(1), width: bw.toFixed(1), height: hgt.toFixed(1), fill: colors[k], 'data-key': k, 'data-count': n }, s('title', {}, `${g.label}: ${n} ${k}`)));
    }
    if (groups.length <= 16 || i % Math.ceil(groups.length / 12) === 0) {
      bars.push(s('text', { x: (x + bw / 2).toFixed(1), y: H - bottom + 14, 'text-anchor': 'middle', 'font-size': 10, fill: '#555b61' }, g.label));
    }
  });
  const total = groups.reduce((n, g) => n + keys.reduce((m, k) => m + (g.counts[k] ?? 0), 0), 0);
  const label = `${name}: ${groups.length} bars, ${total} in all; ${keys.map((k) => `${k} ${groups.reduce((n, g) => n + (g.counts[k] ?? 0), 0)}`).join(', ')}`;
  const svg = s('svg', { class: 'bars', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, 'data-bars': groups.length },
    s('line', { x1: 38, x2: W, y1: H - bottom, y2: H - bottom, stroke: '#767b81' }),
    s('text', { x: 34, y: top + 8, 'text-anchor': 'end', 'font-size': 10, fill: '#555b61' }, String(max)),
    s('text', { x: 34, y: H - bottom, 'text-anchor': 'end', 'font-size': 10, fill: '#555b61' }, '0'),
    bars);
  const legend = h('ul', { class: 'legend' }, keys.map((k) => h('li', {}, s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, fill: colors[k] })), ` ${k}`)));
  return h('figure', { class: 'chart' }, svg, legend);
}

/** Horizontal bars of a rate in [0, 1] per item ({ label, value|null }); null shows as "—". */
export function rateBars(items, name) {
  const row = 22;
  const W = 560;
  const labelW = 220;
  const H = items.length * row + 8;
  const svg = s('svg', { class: 'bars', viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-bars': items.length,
    'aria-label': `${name}: ${items.map((it) => `${it.label} ${it.value === null ? 'no outcome yet' : `${Math.round(it.value * 100)} %`}`).join(', ')}` });
  items.forEach((it, i) => {
    const y = 4 + i * row;
    const short = it.label.length > 30 ? `${it.label.slice(0, 29)}…` : it.label;
    svg.append(s('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end', 'font-size': 12, fill: '#1a1a1a' }, s('title', {}, it.label), short));
    svg.append(s('rect', { x: labelW, y, width: W - labelW - 50, height: row - 6, fill: '#f4f6f8', stroke: '#c9cdd2' }));
    if (it.value !== null) svg.append(s('rect', { x: labelW, y, width: ((W - labelW - 50) * it.value).toFixed(1), height: row - 6, fill: '#146c2e', 'data-value': it.value }));
    svg.append(s('text', { x: W - 44, y: y + 14, 'font-size': 12, fill: '#1a1a1a' }, it.value === null ? '—' : `${Math.round(it.value * 100)} %`));
  });
  return h('figure', { class: 'chart' }, svg);
}
