// @ts-check
import { act } from '../act.js';
import { qs } from '../api.js';
import { call } from '../client.js';
import { clear, h, table, timeEl } from '../dom.js';
import { refreshOnLive } from '../live-refresh.js';
import { matchersLink, matchersText, scheduleText, silenceStateBadge, WEEK } from '../silence-view.js';
import { ACTION_TYPES, MATCHER_FIELDS, SEVERITIES } from '../vocabulary.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').View} View */
/** @typedef {import('../types').PageInstance} PageInstance */

const LABELS = { rule: 'Rule', type: 'Action type', target: 'Target', source: 'Source', severity: 'Severity' };
const HINTS = { target: 'router, prompt, service or throttle', source: 'the snapshots\' source' };
const HOUR = 3_600_000;

/** datetime-local (local time) ⇄ ISO @param {number} t */
const toLocal = (t) => new Date(t - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * The Expire button of a silence that has not ended, for a role that may expire it.
 * @param {any} s a silence
 * @param {Ctx} ctx
 * @param {HTMLElement} message where the result or refusal shows
 * @param {() => Promise<unknown>} after
 */
export function expireButton(s, ctx, message, after) {
  if (s.state === 'expired' || !ctx.can('expireSilence')) return null;
  return h('button', {
    type: 'button', class: 'secondary', 'aria-label': `Expire silence ${matchersText(s.matchers)}`,
    onclick: async (/** @type {Event} */ e) => {
      /** @type {HTMLButtonElement} */ (e.currentTarget).disabled = true;
      await act(message, () => call('expireSilence', { params: { id: s.id } }), {
        done: () => `Silence ${matchersText(s.matchers)} expired.`, say: () => 'Silence expired', announce: ctx.announce,
      });
      await after();
    },
  }, 'Expire');
}

/**
 * The form that creates a silence, its matchers filled in from the query (`#/silences?rule=…`, as
 * the Rules page and an incident link to it). Problems the service names by pointer show at their field.
 * @param {Ctx} ctx
 * @param {URLSearchParams} query
 * @param {{ rules: string[], sources: string[] }} known suggestions for the matchers
 * @param {() => Promise<unknown>} created
 */
function createForm(ctx, query, known, created) {
  const message = h('div', { role: 'status' });
  /** @type {Map<string, HTMLElement>} pointer → the error slot of its field */
  const slots = new Map();
  const slot = (/** @type {string} */ pointer, /** @type {string} */ id) => {
    const el = h('div', { id: `${id}-error`, class: 'field-error' });
    slots.set(pointer, el);
    return el;
  };
  const suggestions = { rule: known.rules, type: ACTION_TYPES, source: known.sources, severity: SEVERITIES };
  const matchers = MATCHER_FIELDS.map((field) => {
    const id = `silence-${field}`;
    const list = /** @type {Record<string, readonly string[]>} */ (suggestions)[field];
    const value = h('input', { id, name: field, type: 'text', maxlength: '200', value: query.get(field) ?? '', list: list ? `${id}-values` : null, 'aria-describedby': `${id}-error` });
    const regex = h('input', { id: `${id}-regex`, type: 'checkbox', checked: query.get(`${field}Regex`) === '1' });
    return {
      field, value, regex,
      el: h('div', { class: 'matcher' },
        h('label', { for: id }, /** @type {Record<string, string>} */ (LABELS)[field] ?? field,
          /** @type {Record<string, string>} */ (HINTS)[field] ? h('span', { class: 'muted hint' }, ` (${/** @type {Record<string, string>} */ (HINTS)[field]})`) : null),
        value,
        list ? h('datalist', { id: `${id}-values` }, list.map((v) => h('option', { value: v }))) : null,
        h('label', { class: 'inline', for: `${id}-regex` }, regex, 'regular expression'),
        slot(`/matchers/${field}`, id)),
    };
  });
  const startsAt = h('input', { id: 'silence-starts', name: 'startsAt', type: 'datetime-local', 'aria-describedby': 'silence-starts-error' });
  const endsAt = h('input', { id: 'silence-ends', name: 'endsAt', type: 'datetime-local', required: true, value: toLocal(Date.now() + 2 * HOUR), 'aria-describedby': 'silence-ends-error' });
  const comment = h('textarea', { id: 'silence-comment', name: 'comment', rows: '2', required: true, maxlength: '1000', 'aria-describedby': 'silence-comment-error' });
  const recurring = h('input', { id: 'silence-recurring', type: 'checkbox' });
  const zone = h('input', { id: 'silence-zone', type: 'text', maxlength: '64', value: Intl.DateTimeFormat().resolvedOptions().timeZone, 'aria-describedby': 'silence-zone-error' });
  const days = WEEK.map((d) => h('input', { id: `silence-day-${d}`, type: 'checkbox', value: d }));
  const from = h('input', { id: 'silence-from', type: 'text', inputmode: 'numeric', placeholder: '22:00', size: '5', maxlength: '5', 'aria-describedby': 'silence-times-error' });
  const to = h('input', { id: 'silence-to', type: 'text', inputmode: 'numeric', placeholder: '06:00', size: '5', maxlength: '5', 'aria-describedby': 'silence-times-error' });
  const schedule = h('fieldset', { class: 'schedule', hidden: true },
    h('legend', {}, 'Weekly schedule: the silence holds only then'),
    h('label', { for: 'silence-zone' }, 'Time zone (IANA name)'), zone, slot('/schedule/timeZone', 'silence-zone'),
    h('fieldset', { class: 'days' }, h('legend', {}, 'On these days (none: every day)'),
      WEEK.map((d, i) => h('label', { class: 'inline', for: `silence-day-${d}` }, days[i], d))),
    slot('/schedule/weekdays', 'silence-days'),
    h('div', { class: 'times' },
      h('div', {}, h('label', { for: 'silence-from' }, 'From (HH:MM)'), from),
      h('div', {}, h('label', { for: 'silence-to' }, 'To (HH:MM; 24:00 is midnight)'), to)),
    h('p', { class: 'muted' }, 'Empty times: all day. A range past midnight (22:00 to 06:00) belongs to the day it starts on.'),
    slot('/schedule/times', 'silence-times'),
    slot('/schedule', 'silence-schedule'));
  recurring.addEventListener('change', () => { schedule.hidden = !recurring.checked; });

  const body = () => {
    /** @type {Record<string, unknown>} */
    const m = {};
    for (const { field, value, regex } of matchers) if (value.value.trim()) m[field] = regex.checked ? { regex: value.value.trim() } : value.value.trim();
    /** @type {Record<string, unknown>} */
    const b = { matchers: m, endsAt: endsAt.value ? new Date(endsAt.value).toISOString() : '', comment: comment.value.trim() };
    if (startsAt.value) b.startsAt = new Date(startsAt.value).toISOString();
    if (recurring.checked) {
      /** @type {Record<string, unknown>} */
      const s = { timeZone: zone.value.trim() };
      const picked = days.filter((d) => d.checked).map((d) => d.value);
      if (picked.length) s.weekdays = picked;
      if (from.value.trim() || to.value.trim()) s.times = { start: from.value.trim(), end: to.value.trim() };
      b.schedule = s;
    }
    return b;
  };
  const showProblems = (/** @type {{ pointer: string, message: string }[]} */ problems) => {
    for (const el of slots.values()) clear(el);
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    /** @type {{ pointer: string, message: string }[]} */
    const rest = [];
    for (const p of problems) {
      // The longest field pointer the problem's pointer starts with.
      const at = [...slots.keys()].filter((k) => p.pointer === k || p.pointer.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0];
      const el = at ? slots.get(at) : undefined;
      if (el) {
        el.append(h('p', {}, p.message));
        document.getElementById(el.id.replace(/-error$/, ''))?.setAttribute('aria-invalid', 'true');
      } else rest.push(p);
    }
    return rest;
  };

  const form = h('form', {
    class: 'panel silence-form', 'aria-labelledby': 'silence-new',
    onsubmit: async (/** @type {Event} */ e) => {
      e.preventDefault();
      const result = await act(message, async () => (await call('createSilence', { body: body() })).data, {
        busy: 'Creating the silence…',
        done: (s) => ['Silence created: ', h('a', { href: `#/silences/${s.id}` }, matchersText(s.matchers)), ' until ', timeEl(s.endsAt), '.'],
        say: () => 'Silence created', announce: ctx.announce,
        refused: (err) => {
          const rest = showProblems(err.problem?.errors ?? []);
          return [h('p', { class: 'alert' }, `Not created: ${err.message}`), rest.map((p) => h('p', { class: 'alert' }, `${p.pointer || '(body)'}: ${p.message}`))];
        },
      });
      if (result.ok) {
        showProblems([]);
        await created();
      } else {
        /** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]'))?.focus();
      }
    },
  },
  h('h2', { id: 'silence-new' }, 'New silence'),
  h('p', { class: 'muted' }, 'While it is in force, a matched rule that would act is decided silenced: nothing runs, no cooldown or budget is used. Every matcher given must match; a regular expression must match the whole value.'),
  h('fieldset', { class: 'matchers' }, h('legend', {}, 'Matchers (at least one)'), matchers.map((m) => m.el), slot('/matchers', 'silence-matchers')),
  h('div', { class: 'times' },
    h('div', {}, h('label', { for: 'silence-starts' }, 'Starts (empty: now)'), startsAt, slot('/startsAt', 'silence-starts')),
    h('div', {}, h('label', { for: 'silence-ends' }, 'Ends'), endsAt, slot('/endsAt', 'silence-ends'))),
  h('label', { for: 'silence-comment' }, 'Comment (why)'), comment, slot('/comment', 'silence-comment'),
  h('label', { class: 'inline', for: 'silence-recurring' }, recurring, 'Recurring (a weekly schedule)'),
  schedule,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create silence')),
  message);
  return form;
}

/**
 * @param {any[]} items silences
 * @param {Ctx} ctx
 * @param {HTMLElement} message
 * @param {() => Promise<unknown>} after
 * @param {string} caption
 */
function silenceTable(items, ctx, message, after, caption) {
  return table(['Matchers', 'When', 'State', 'Comment', 'Created by', ''], items.map((s) => [
    matchersLink(s),
    h('span', { class: 'when' }, h('span', {}, 'from ', timeEl(s.startsAt)), h('span', {}, 'to ', timeEl(s.endsAt)), s.schedule ? h('span', {}, scheduleText(s.schedule)) : null),
    silenceStateBadge(s),
    s.comment,
    s.createdBy,
    expireButton(s, ctx, message, after) ?? '',
  ]), caption);
}

/**
 * Silences (maintenance windows): those in force or coming first, then the expired ones (paged);
 * a form to create one (operator), with its matchers filled in from the link that led here.
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @param {View} view
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx, view) {
  if (!ctx.has('listSilences')) {
    clear(main, h('h1', {}, 'Silences'), h('p', { class: 'muted' }, 'This service has no silences.'));
    return {};
  }
  const expiredCursor = view.query.get('expiredCursor') ?? '';
  const message = h('div', { role: 'status' });
  const current = h('section', { 'aria-labelledby': 'silences-current' });
  const expired = h('section', { 'aria-labelledby': 'silences-expired' });
  const render = async () => {
    const [active, pending, ended] = await Promise.all([
      call('listSilences', { query: { state: 'active', limit: 100 } }),
      call('listSilences', { query: { state: 'pending', limit: 100 } }),
      call('listSilences', { query: { state: 'expired', limit: 20, cursor: expiredCursor } }),
    ]);
    const now = [...active.data.items, ...pending.data.items];
    clear(current, h('h2', { id: 'silences-current' }, `In force or coming (${now.length})`),
      now.length ? silenceTable(now, ctx, message, render, 'Silences in force or coming') : h('p', { class: 'muted' }, 'No silence is active or coming.'));
    clear(expired, h('h2', { id: 'silences-expired' }, 'Expired'),
      ended.data.items.length ? silenceTable(ended.data.items, ctx, message, render, 'Expired silences') : h('p', { class: 'muted' }, 'None.'),
      h('nav', { class: 'actions', 'aria-label': 'Pages of expired silences' },
        expiredCursor ? h('a', { class: 'button secondary', href: '#/silences' }, 'Newest') : null,
        ended.data.nextCursor ? h('a', { class: 'button secondary', href: `#/silences${qs({ expiredCursor: ended.data.nextCursor })}` }, 'Older') : null));
  };
  let form = null;
  if (ctx.can('createSilence')) {
    const [rules, sources] = await Promise.all([
      call('listRules').then((r) => r.data.rules.map((x) => x.name), () => []),
      call('listSnapshotSources').then((r) => r.data.items.map((x) => x.source), () => []),
    ]);
    form = createForm(ctx, view.query, { rules, sources }, render);
  }
  await render();
  const prefilled = MATCHER_FIELDS.some((f) => view.query.get(f));
  clear(main, h('h1', {}, 'Silences'),
    h('p', { class: 'muted' }, 'Maintenance windows: while one is in force, the rules it matches decide silenced instead of acting (docs/incidents.md).'),
    message, prefilled ? form : null, current, prefilled ? null : form, expired);
  return refreshOnLive(render, { when: (e) => e.type.startsWith('silence.') });
}
