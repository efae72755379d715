// @ts-check
import { badge, h, timeEl } from './dom.js';

/** How an incident is shown wherever it appears: what it groups, and where it stands. */

/**
 * What it groups by, as `source=agentx` (its group key), read from its labels; an empty label (a
 * manual trigger has no source) says `(none)`.
 * @param {{ labels: Record<string, string>, groupKey: string }} i
 */
export function groupText(i) {
  const parts = Object.entries(i.labels).map(([k, v]) => `${k}=${v === '' ? '(none)' : v}`);
  return parts.length ? parts.join(', ') : i.groupKey;
}

/**
 * The resolution in words: one for each of the service's resolutions (a missing one does not type-check).
 * @type {Record<import('./vocabulary.js').IncidentResolution, string>}
 */
const RESOLVED = {
  rules_cleared: 'its rules stopped matching',
  actions_effective: 'every verified action was effective',
  quiet: 'nothing new for a while',
};

/**
 * Open, or resolved (when and why).
 * @param {{ state: string, resolvedAt: string | null, resolution: string | null }} i
 */
export function incidentStateBadge(i) {
  if (i.state === 'open') return badge('open-incident', 'open');
  return h('span', {}, badge('resolved'), i.resolvedAt ? [' ', timeEl(i.resolvedAt)] : null,
    i.resolution ? ` (${/** @type {Record<string, string>} */ (RESOLVED)[i.resolution] ?? i.resolution})` : null);
}

/** @param {{ id: string, labels: Record<string, string>, groupKey: string }} i */
export function incidentLink(i) {
  return h('a', { href: `#/incidents/${i.id}` }, groupText(i));
}
