import { call } from './client.js';
import { badge, fmtTime, h, kv, relTime } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
/** How many probes of the primary the service keeps (FAILBACK_PROBES_KEPT). */
const PROBES_KEPT = 30;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * The last probes of the primary as bars: height is the latency (on a scale up to the slowest
 * shown), colour and mark say healthy or not. A failed probe without an answer still gets a bar of
 * its waiting time. Each bar carries its own numbers as a tooltip; the table of numbers is below it.
 */
export function probeChart(probes) {
  const width = 240;
  const height = 64;
  const pad = 4;
  const max = Math.max(1, ...probes.map((p) => p.latencyMs));
  // One slot per probe the service keeps, filled from the left: bars keep their width as probes come in.
  const slot = (width - 2 * pad) / Math.max(probes.length, PROBES_KEPT);
  const bar = Math.max(2, slot - 2);
  const bars = probes.map((p, i) => {
    const hgt = Math.max(3, ((height - 2 * pad - 10) * p.latencyMs) / max);
    const x = pad + i * slot;
    return s(
      'rect',
      {
        x: x.toFixed(1),
        y: (height - pad - hgt).toFixed(1),
        width: bar.toFixed(1),
        height: hgt.toFixed(1),
        class: p.ok ? 'probe-ok' : 'probe-failed',
        fill: p.ok ? '#2e7d32' : '#c62828',
        'data-ok': String(p.ok),
      },
      s('title', {}, `${new Date(p.at).toLocaleTimeString()}: ${p.ok ? 'healthy' : 'unhealthy'}, ${p.reason}, ${p.latencyMs} ms`),
    );
  });
  return s(
    'svg',
    {
      class: 'probe-chart',
      viewBox: `0 0 ${width} ${height}`,
      // Scales down with the card; never wider than drawn.
      width: '100%',
      role: 'img',
      'aria-label': `Last ${probes.length} probes of the primary: ${probes.filter((p) => p.ok).length} healthy; slowest ${max} ms`,
    },
    s('line', { x1: pad, x2: width - pad, y1: height - pad, y2: height - pad, stroke: '#999', 'stroke-width': 1 }),
    s('text', { x: pad, y: 10, 'font-size': 9, fill: '#666' }, `${max} ms`),
    bars,
  );
}

/** The model-failover card of the overview: where traffic goes, and while failed over, the road back. */
export function failoverCard(f, ctx, act) {
  const fb = f.failback ?? {};
  const probes = f.probes ?? [];
  const last = probes.at(-1);
  const failbackRows = f.failedOver
    ? [
        probes.length ? null : ['Probes of the primary', h('span', { class: 'muted' }, 'none yet')],
        ['Last probe', last ? `${last.ok ? 'healthy' : 'unhealthy'}: ${last.reason} in ${last.latencyMs} ms (${relTime(last.at)})` : '—'],
        ['Healthy streak', h('span', { id: 'failback-streak' }, `${f.healthyStreak} of ${fb.healthyProbesNeeded ?? '?'}`)],
        ['Failback', h('span', { id: 'failback-at' }, f.failbackAt ? `${fmtTime(f.failbackAt)} (${relTime(f.failbackAt)}) if the primary stays healthy` : (fb.status ?? '—'))],
        f.failbackAt ? ['Waiting for', fb.status] : null,
        ['Hold on the secondary', `${fb.holdSeconds} s${fb.failbacksLastHour ? `; ${fb.failbacksLastHour} failback(s) in the last hour` : ''}`],
        fb.secondaryProbe ? ['Secondary', `${fb.secondaryProbe.ok ? 'healthy' : 'unhealthy'}: ${fb.secondaryProbe.reason}`] : null,
        fb.failoverActionId ? ['Failover action', h('a', { href: `#/actions/${fb.failoverActionId}` }, fb.failoverActionId)] : null,
        fb.pendingFailbackId ? ['Failback under way', h('a', { href: `#/actions/${fb.pendingFailbackId}` }, fb.pendingFailbackId)] : null,
        fb.suspendedAt ? ['Suspended', badge('critical', `since ${fmtTime(fb.suspendedAt)}: an operator decides`)] : null,
      ]
    : [];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'ov-failover' },
    h('h2', { id: 'ov-failover' }, 'Model failover'),
    kv([
      // The URL on a line of its own, cut with an ellipsis rather than broken mid-word; the whole on hover.
      ['Current host', [h('strong', {}, f.current), h('span', { class: 'url', title: f.currentUrl }, f.currentUrl)]],
      ['Failed over', f.failedOver ? badge('warning', 'yes') : badge('ok', 'no')],
      ['Since', fmtTime(f.failoverTimestamp)],
      ['Reason', f.reason ?? '—'],
      ['Failovers so far', String(f.failoverCount)],
    ]),
    // The chart sits above the numbers it draws, at the card's full width.
    f.failedOver && probes.length
      ? h('figure', { class: 'probe-figure' }, h('figcaption', {}, `Probes of the primary: latency of the last ${probes.length} (green healthy, red not)`), probeChart(probes))
      : null,
    failbackRows.length ? kv(failbackRows) : null,
    f.failedOver && ctx.can('resetRouter')
      ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => act(() => call('resetRouter', { body: { by: ctx.who.name ?? 'console' } }), 'Failover reset to primary') }, 'Reset to primary'))
      : null,
  );
}
