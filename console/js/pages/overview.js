// @ts-check
import { call } from '../client.js';
import { badge, clear, h, kv, linkIds, relTime, table, timeEl } from '../dom.js';
import { act as actOn } from '../act.js';
import { failoverCard } from '../failover-card.js';
import { refreshOnLive } from '../live-refresh.js';
import { incidentLink } from '../incident-view.js';
import { matchersLink, scheduleText, silenceStateBadge } from '../silence-view.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').PageInstance} PageInstance */


function section(id, title, ...body) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

function actionRows(items) {
  return items.map((a) => [
    h('a', { href: `#/actions/${a.id}` }, a.rule),
    a.type,
    badge(a.status),
    a.outcome ? badge(a.outcome) : '—',
    timeEl(a.createdAt),
  ]);
}

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx) {
  const body = h('div');
  const message = h('div', { role: 'status' });
  clear(main, h('h1', {}, 'Overview'), message, body);

  /** @type {(fn: () => Promise<unknown>, done: string) => Promise<void>} */
  const act = async (fn, done) => {
    await actOn(message, fn, { done: () => done, say: () => done, announce: ctx.announce });
    await refresh();
  };

  const refresh = async () => {
    const [pending, running, recent, router, throttle, openAlerts, pause, silences, incidents] = await Promise.all([
      call('listActions', { query: { status: 'pending_approval', limit: 20 } }),
      call('listActions', { query: { status: 'approved,running', limit: 20 } }),
      call('listActions', { query: { limit: 10 } }),
      call('getRouterState'),
      call('getThrottle'),
      call('listAlerts', { query: { acknowledged: 'false', limit: 10 } }),
      ctx.has('getPause') ? call('getPause').catch(() => null) : Promise.resolve(null),
      ctx.has('listSilences') ? call('listSilences', { query: { state: 'active', limit: 20 } }).catch(() => null) : Promise.resolve(null),
      ctx.has('listIncidents') ? call('listIncidents', { query: { state: 'open', limit: 10 } }).catch(() => null) : Promise.resolve(null),
    ]);

    const p = pending.data.items;
    const pendingSection = section(
      'ov-pending', `Pending approvals (${p.length})`,
      p.length === 0
        ? h('p', { class: 'muted' }, 'Nothing waits for approval.')
        : h('ul', {}, p.map((a) => h('li', { 'data-action-id': a.id }, h('strong', {}, a.rule), ` — ${a.type} `, badge(a.severity), ` — expires ${relTime(a.expiresAt)}`))),
      p.length ? h('p', {}, h('a', { href: '#/approvals' }, 'Decide on the Approvals page')) : null,
    );

    const r = running.data.items;
    const runningSection = section('ov-running', `Running (${r.length})`,
      r.length === 0 ? h('p', { class: 'muted' }, 'No action is running.') : table(['Rule', 'Type', 'Status', 'Outcome', 'Created'], actionRows(r)));

    const failover = failoverCard(router.data, ctx, act);

    const t = throttle.data;
    const throttleSection = section('ov-throttle', 'Throttle',
      kv([
        ['State', t.active ? badge('warning', 'active') : badge('ok', 'off')],
        ['Limit', `${t.limit} of ${t.baseLimit} (factor ${t.factor})`],
        ['Until', t.until ? h('span', {}, timeEl(t.until), ` (${relTime(t.until)})`) : '—'],
        ['Reason', t.reason ?? '—'],
      ]),
      t.active && ctx.can('restoreThrottle')
        ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => act(() => call('restoreThrottle', { query: { by: ctx.who.name ?? 'console', reason: 'restored from the console' } }), 'Throttle restored') }, 'Restore throttle'))
        : null,
    );

    let pauseSection = null;
    let pauseBanner = null;
    if (pause) {
      const ps = pause.data ?? {};
      const reason = h('input', { id: 'pause-reason', name: 'reason', type: 'text', size: '40', required: true, maxlength: '500' });
      const until = h('input', { id: 'pause-until', name: 'until', type: 'datetime-local' });
      const canSet = ctx.can('pauseAutomation');
      const canClear = ctx.can('resumeAutomation');
      const pauseNow = () => {
        const body = { reason: reason.value.trim() };
        if (until.value) body.until = new Date(until.value).toISOString();
        return call('pauseAutomation', { body });
      };
      if (ps.paused) {
        pauseBanner = h('p', { class: 'warnbox', id: 'pause-banner' },
          h('strong', {}, 'Automation is paused'), ` by ${ps.by ?? '—'}: ${ps.reason ?? 'no reason given'}`,
          ps.until ? [' — until ', timeEl(ps.until), ` (${relTime(ps.until)})`] : ' — until someone resumes it',
          '. Nothing runs or can be approved; reverts still run.');
      }
      pauseSection = section('ov-pause', 'Automation pause',
        kv([
          ['State', ps.paused ? badge('warning', 'paused') : badge('ok', 'running')],
          ['Reason', ps.reason ?? '—'],
          ps.paused ? ['By', ps.by ?? '—'] : null,
          ps.paused ? ['Since', timeEl(ps.since)] : null,
          ['Until', timeEl(ps.until)],
        ]),
        ps.paused
          ? (canClear ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => act(() => call('resumeAutomation'), 'Automation resumed') }, 'Resume automation')) : null)
          : (canSet
            ? h('form', { 'aria-label': 'Pause automation', onsubmit: (e) => { e.preventDefault(); void act(pauseNow, 'Automation paused'); } },
              h('label', { for: 'pause-reason' }, 'Pause reason'), reason,
              h('label', { for: 'pause-until' }, 'Until (optional; empty: until resumed)'), until,
              h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Pause automation')))
            : null),
      );
    }

    const lastSection = section('ov-last', 'Last actions',
      recent.data.items.length === 0 ? h('p', { class: 'muted' }, 'No action yet.') : table(['Rule', 'Type', 'Status', 'Outcome', 'Created'], actionRows(recent.data.items)),
      h('p', {}, h('a', { href: '#/history' }, 'All history')));

    const al = openAlerts.data.items;
    const alertsSection = section('ov-alerts', `Open alerts (${al.length}${openAlerts.data.nextCursor ? '+' : ''})`,
      al.length === 0 ? h('p', { class: 'muted' }, 'No open alert.') : h('ul', {}, al.map((a) => h('li', {}, badge(a.severity), ` ${a.rule}: `, linkIds(a.message), ' (', timeEl(a.createdAt), ')'))),
      h('p', {}, h('a', { href: '#/alerts' }, 'Alerts')));

    const si = silences?.data.items ?? [];
    const silencesSection = silences
      ? section('ov-silences', `Active silences (${si.length}${silences.data.nextCursor ? '+' : ''})`,
        si.length === 0
          ? h('p', { class: 'muted' }, 'No silence is active: every rule acts as it decides.')
          : h('ul', {}, si.map((x) => h('li', { 'data-silence-id': x.id },
            matchersLink(x), ' ', silenceStateBadge(x), ' until ', timeEl(x.endsAt),
            x.schedule ? ` — ${scheduleText(x.schedule)}` : '', ` — ${x.comment}`))),
        h('p', {}, h('a', { href: '#/silences' }, 'Silences')))
      : null;

    const oi = incidents?.data.items ?? [];
    const incidentsSection = incidents
      ? section('ov-incidents', `Open incidents (${oi.length}${incidents.data.nextCursor ? '+' : ''})`,
        oi.length === 0
          ? h('p', { class: 'muted' }, 'No open incident.')
          : h('ul', {}, oi.map((i) => h('li', { 'data-incident-id': i.id }, incidentLink(i), ' — opened ', timeEl(i.openedAt), ` (${relTime(i.openedAt)})`))),
        h('p', {}, h('a', { href: '#/incidents' }, 'Incidents')))
      : null;

    clear(body, pauseBanner, incidentsSection, pendingSection, h('div', { class: 'grid' }, runningSection, failover, throttleSection, pauseSection), silencesSection, lastSection, alertsSection);
  };

  await refresh();
  return refreshOnLive(refresh);
}
