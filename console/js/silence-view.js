// @ts-check
import { badge, h, timeEl } from './dom.js';
import { WEEKDAYS } from './vocabulary.js';

/** How a silence is shown wherever it appears: its matchers, its schedule, its state. */

/** Monday first, as people read a week (the service's WEEKDAYS start on Sunday). */
export const WEEK = [...WEEKDAYS.slice(1), WEEKDAYS[0]];

/** @param {string | { regex: string }} m */
const matcherValue = (m) => (typeof m === 'string' ? `= ${m}` : `~ /${m.regex}/`);

/**
 * `rule = disk-full, source ~ /edge-.*\/`
 * @param {Record<string, string | { regex: string }>} matchers
 */
export function matchersText(matchers) {
  return Object.entries(matchers).map(([field, m]) => `${field} ${matcherValue(m)}`).join(', ');
}

/**
 * The matchers as a link to the silence, one matcher a line (each kept whole).
 * @param {{ id: string, matchers: Record<string, string | { regex: string }> }} s
 */
export function matchersLink(s) {
  return h('a', { class: 'matchers', href: `#/silences/${s.id}`, 'aria-label': matchersText(s.matchers) },
    Object.entries(s.matchers).map(([field, m]) => h('span', {}, `${field} ${matcherValue(m)}`)));
}

/**
 * "mon–fri 22:00–06:00 (Europe/Berlin)", or "—" for a silence without a schedule.
 * @param {{ timeZone: string, weekdays: string[] | null, times: { start: string, end: string } | null } | null} schedule
 */
export function scheduleText(schedule) {
  if (!schedule) return '—';
  const days = schedule.weekdays === null ? 'every day' : WEEK.filter((d) => schedule.weekdays?.includes(d)).join(', ');
  const times = schedule.times ? `${schedule.times.start}–${schedule.times.end}` : 'all day';
  return `${days}, ${times} (${schedule.timeZone})`;
}

/**
 * The state now: in force, active but outside its window, pending, expired (by whom, when by hand).
 * @param {{ state: string, inForce: boolean, expiredBy: string | null, expiredAt: string | null }} s
 */
export function silenceStateBadge(s) {
  if (s.state === 'active') return s.inForce ? badge('silenced', 'in force') : badge('pending', 'active, outside its window');
  if (s.state === 'expired' && s.expiredBy) return h('span', {}, badge('expired'), ` by ${s.expiredBy} `, timeEl(s.expiredAt));
  return badge(s.state);
}
