// @ts-check
import { badge, h, timeEl } from './dom.js';

/**
 * A rule's decision as every page shows it (simulate, a snapshot's decisions, an incident's
 * timeline): the kind as a badge, and for the kinds that name something, what: the silence in force
 * (with its end), the action holding the rule back (and until when), the cooldown's or the pause's end.
 * @param {{ decision: string, wouldDecide?: string, silenceId?: string, inhibitedBy?: { rule: string, actionId?: string }, until?: string, actionId?: string }} d
 */
export function decisionCell(d) {
  const kind = d.decision === 'shadow' && d.wouldDecide ? d.wouldDecide : d.decision;
  return h('span', { class: 'decision' },
    badge(d.decision),
    d.decision === 'shadow' && d.wouldDecide ? [' would be ', badge(d.wouldDecide)] : null,
    kind === 'silenced' && d.silenceId
      ? [' by ', h('a', { href: `#/silences/${encodeURIComponent(d.silenceId)}` }, 'a silence'), d.until ? [' until ', timeEl(d.until)] : null]
      : null,
    kind === 'inhibited' && d.inhibitedBy
      ? [' by ', h('a', { class: 'name', href: `#/rules/${encodeURIComponent(d.inhibitedBy.rule)}` }, d.inhibitedBy.rule),
        d.inhibitedBy.actionId ? [' (', h('a', { href: `#/actions/${d.inhibitedBy.actionId}` }, 'its action'), ')'] : null,
        d.until ? [' until ', timeEl(d.until)] : null]
      : null,
  );
}
