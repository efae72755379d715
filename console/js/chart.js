import uPlot from '../vendor/uplot/uPlot.esm.js';
import { fmtTime, h, table, timeEl } from './dom.js';

/**
 * A time chart of one fact (uPlot on a canvas): the series, the rule's threshold as a line, markers
 * (dispatch, approval, revert, recovery…) as labelled vertical lines, and a shaded window (the
 * verification). The canvas has an accessible name (role="img") and the numbers stay readable in a
 * table below it. The figure carries what it draws as data attributes — points, markers, threshold
 * and the threshold's height on the canvas — which the browser tests read instead of pixels.
 */
const COLORS = { line: '#0b57d0', threshold: '#b3261e', marker: '#14213d', band: 'rgba(20, 108, 46, 0.14)', grid: '#e3e6ea', axis: '#555b61' };

const num = (v) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(4))));

function describe({ title, points, threshold, markers, band }) {
  if (points.length === 0) return `${title}: no number stored in this span (missing, or not a number)`;
  const values = points.map((p) => p[1]);
  const parts = [
    `${title}: ${points.length} points from ${fmtTime(points[0][0])} to ${fmtTime(points[points.length - 1][0])}`,
    `lowest ${num(Math.min(...values))}, highest ${num(Math.max(...values))}, last ${num(values[values.length - 1])}`,
  ];
  if (threshold !== null && threshold !== undefined) parts.push(`threshold ${num(threshold)}`);
  if (markers.length) parts.push(`marked: ${markers.map((m) => `${m.label} at ${fmtTime(m.t)}`).join(', ')}`);
  if (band) parts.push(`${band.label} from ${fmtTime(band.from)} to ${fmtTime(band.to)}`);
  return `${parts.join('; ')}.`;
}

/**
 * @param {object} o
 * @param {string} o.title what is drawn (the fact, and whose)
 * @param {Array<[number, number]>} o.points [ms, value], oldest first
 * @param {{ from: number, to: number }} o.span the x range, ms
 * @param {number|null} [o.threshold]
 * @param {Array<{ t: number, label: string }>} [o.markers]
 * @param {{ from: number, to: number, label: string }|null} [o.band]
 */
export function timeChart({ title, points, span, threshold = null, markers = [], band = null, height = 220 }) {
  const state = { threshold };
  const host = h('div', { class: 'chart-canvas', role: 'img' });
  const rowsOf = () => points.map(([t, v]) => [timeEl(t), num(v)]);
  const tableHost = h('div');
  const fillTable = () => tableHost.replaceChildren(table(['Time', title], rowsOf(), `${title}: the values drawn`));
  fillTable();
  const markerList = markers.length
    ? h('ul', { class: 'chart-markers' }, markers.map((m) => h('li', { 'data-marker': m.label }, h('strong', {}, m.label), ' ', timeEl(m.t))))
    : null;
  const figure = h(
    'figure',
    { class: 'chart', 'data-points': String(points.length), 'data-markers': String(markers.length), 'data-from': String(span.from), 'data-to': String(span.to) },
    h('figcaption', {}, title),
    host,
    markerList,
    h('details', { class: 'chart-table' }, h('summary', {}, `The ${points.length} values as a table`), tableHost),
  );
  const label = () => {
    host.setAttribute('aria-label', describe({ title, points, threshold: state.threshold, markers, band }));
    if (state.threshold === null || state.threshold === undefined) delete figure.dataset.threshold;
    else figure.dataset.threshold = String(state.threshold);
  };
  label();

  const xs = points.map((p) => p[0] / 1000);
  const ys = points.map((p) => p[1]);
  const yRange = (_u, min, max) => {
    const lo = Math.min(...[min, max, state.threshold].filter((v) => Number.isFinite(v)));
    const hi = Math.max(...[min, max, state.threshold].filter((v) => Number.isFinite(v)));
    if (!Number.isFinite(lo)) return [0, 1];
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [lo - pad, hi + pad];
  };
  const vline = (u, t, color, text, dash, row) => {
    const x = u.valToPos(t / 1000, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const { ctx } = u;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * uPlot.pxRatio;
    ctx.setLineDash(dash.map((d) => d * uPlot.pxRatio));
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.font = `${12 * uPlot.pxRatio}px system-ui, sans-serif`;
    // Labels step down a row each, so markers close in time stay readable; near the right edge they go left of the line.
    const right = x > u.bbox.left + u.bbox.width * 0.8;
    ctx.textAlign = right ? 'right' : 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(text, x + (right ? -4 : 4) * uPlot.pxRatio, u.bbox.top + 14 * (row + 1) * uPlot.pxRatio);
    ctx.restore();
  };
  const hooks = {
    drawClear: [(u) => {
      if (!band) return;
      const x0 = Math.max(u.valToPos(band.from / 1000, 'x', true), u.bbox.left);
      const x1 = Math.min(u.valToPos(band.to / 1000, 'x', true), u.bbox.left + u.bbox.width);
      if (x1 <= x0) return;
      u.ctx.save();
      u.ctx.fillStyle = COLORS.band;
      u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      u.ctx.restore();
    }],
    draw: [(u) => {
      if (Number.isFinite(state.threshold)) {
        const y = u.valToPos(state.threshold, 'y', true);
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = COLORS.threshold;
        ctx.lineWidth = 2 * uPlot.pxRatio;
        ctx.setLineDash([6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.fillStyle = COLORS.threshold;
        ctx.font = `${12 * uPlot.pxRatio}px system-ui, sans-serif`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'alphabetic';
        ctx.fillText(`threshold ${num(state.threshold)}`, u.bbox.left + 4 * uPlot.pxRatio, y - 4 * uPlot.pxRatio);
        ctx.restore();
        // Where the line is, in CSS pixels from the top of the plot: the tests follow it.
        figure.dataset.thresholdY = String(Math.round(u.valToPos(state.threshold, 'y')));
      } else {
        delete figure.dataset.thresholdY;
      }
      markers.forEach((m, i) => vline(u, m.t, COLORS.marker, m.label, i % 2 ? [2, 3] : [4, 3], i));
      figure.dataset.drawn = 'true';
    }],
  };

  let plot = null;
  const build = (width) => {
    plot = new uPlot({
      width,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: () => [span.from / 1000, span.to / 1000] }, y: { range: yRange } },
      series: [{}, { label: title, stroke: COLORS.line, width: 2, points: { show: points.length <= 60, size: 5, fill: COLORS.line } }],
      axes: [
        { stroke: COLORS.axis, grid: { stroke: COLORS.grid } },
        { stroke: COLORS.axis, grid: { stroke: COLORS.grid }, size: 64, values: (_u, vals) => vals.map(num) },
      ],
      hooks,
    }, [xs, ys], host);
  };
  // uPlot needs a width: built once the figure is laid out, resized with it.
  const observer = new ResizeObserver(() => {
    const width = Math.max(host.clientWidth, 240);
    if (!plot) build(width);
    else if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height });
  });
  observer.observe(host);

  return {
    el: figure,
    /** Moves the threshold line (the rule editor calls it as the value is edited). */
    setThreshold(value) {
      state.threshold = Number.isFinite(value) ? value : null;
      label();
      if (plot) plot.setData([xs, ys]);
    },
    destroy() {
      observer.disconnect();
      plot?.destroy();
    },
  };
}
