import type { ActionOutcome, ActionStatus } from '../domain/action';
import type { Rule } from '../domain/rule';
import type { ActiveInhibitor } from '../engine/inhibition';
import type { ClosedLoopSettings } from './settings';

/** What the closed loop reads of an action of an inhibiting rule to tell whether it still inhibits. */
export interface InhibitingAction {
  id: string;
  rule: string;
  status: ActionStatus;
  createdAt: Date;
  expiresAt: Date | null;
  outcome?: ActionOutcome;
  verifyUntil?: Date | null;
  target: string | null;
  /** The source of the snapshot it was dispatched on; null for a trigger or a failback. */
  source: string | null;
  /** A revert never inhibits: it undoes, it does not remedy. */
  revertOf?: string;
}

/** An action that did nothing (failed, refused, expired, a shadow record) never holds another rule back. */
const NEVER_INHIBITS: ReadonlySet<ActionStatus> = new Set(['failed', 'rejected', 'expired', 'shadowed']);

/**
 * Whether an action of `rule` inhibits at `now`, and why: while it awaits approval (until it expires:
 * the person deciding decides for the whole outage), is approved or running, is succeeded and in its
 * verification window, or is within the rule's `whileMinutes` of being dispatched. Null: it does not.
 */
export function inhibitingState(action: InhibitingAction, rule: Rule, now: Date): Pick<ActiveInhibitor, 'state' | 'until'> | null {
  if (action.revertOf !== undefined || NEVER_INHIBITS.has(action.status)) return null;
  const t = now.getTime();
  const whileEnd = rule.inhibits?.whileMinutes !== undefined ? action.createdAt.getTime() + rule.inhibits.whileMinutes * 60_000 : null;
  const within = whileEnd !== null && whileEnd > t;
  const later = (end: number | null | undefined) => new Date(Math.max(end ?? 0, within ? whileEnd! : 0)).toISOString();
  if (action.status === 'pending_approval') {
    const expires = action.expiresAt?.getTime() ?? null;
    if (expires !== null && expires <= t) return within ? { state: `dispatched at ${action.createdAt.toISOString()}`, until: later(null) } : null;
    return expires === null ? { state: 'pending approval' } : { state: 'pending approval', until: later(expires) };
  }
  if (action.status === 'approved' || action.status === 'running') return { state: action.status };
  const verifyEnd = action.verifyUntil?.getTime() ?? null;
  if (action.outcome === 'pending' && verifyEnd !== null && verifyEnd > t) {
    return { state: `verifying until ${action.verifyUntil!.toISOString()}`, until: later(verifyEnd) };
  }
  return within ? { state: `dispatched at ${action.createdAt.toISOString()}`, until: later(null) } : null;
}

/**
 * How far back an inhibiting rule's actions can still inhibit: the longest of its `whileMinutes`,
 * the approval timeout and its verification window, plus an hour for the run before the window.
 */
export function inhibitionLookbackMs(rule: Rule, settings: Pick<ClosedLoopSettings, 'approvalTimeoutMinutes' | 'verifySpecFor'>): number {
  const minutes = Math.max(rule.inhibits?.whileMinutes ?? 0, settings.approvalTimeoutMinutes, settings.verifySpecFor(rule)?.windowMinutes ?? 0);
  return (minutes + 60) * 60_000;
}

const inhibitingByRules = new WeakMap<readonly Rule[], readonly Rule[]>();

/** The rules of a rules file that inhibit others (once per loaded file). */
export function inhibitingRulesOf(rules: readonly Rule[]): readonly Rule[] {
  let found = inhibitingByRules.get(rules);
  if (found === undefined) {
    found = rules.filter((r) => r.inhibits !== undefined);
    inhibitingByRules.set(rules, found);
  }
  return found;
}

/** Whether any inhibiting rule names `rule` (or its type): only then is the view worth a read. */
export function couldBeInhibited(rule: Rule, inhibiting: readonly Rule[]): boolean {
  return inhibiting.some((i) => i.name !== rule.name && (i.inhibits!.rules?.includes(rule.name) || i.inhibits!.types?.includes(rule.action.type)));
}
