import type { ActionOutcome, OnIneffective, PrometheusCheck, VerifySpec } from '../domain/action';

export type VerifiedOutcome = Exclude<ActionOutcome, 'pending'>;
export type FollowUp = 'revert' | 'escalate' | 'none';

/** The end of the window a succeeded action opens when it finished at `finishedAt`. */
export function windowEnd(finishedAt: Date, spec: VerifySpec): Date {
  return new Date(finishedAt.getTime() + spec.windowMinutes * 60_000);
}

/**
 * A snapshot received at `at` counts for the window of an action that finished at `finishedAt`:
 * after the action finished, up to and including the window's end.
 */
export function countsInWindow(at: Date, finishedAt: Date, until: Date): boolean {
  return at.getTime() > finishedAt.getTime() && at.getTime() <= until.getTime();
}

/**
 * A window is decided once its end is past: a snapshot received at the very end still counts, so
 * at that instant the window is not yet due.
 */
export function windowDue(until: Date, now: Date): boolean {
  return until.getTime() < now.getTime();
}

/** What the snapshots of a window said so far, in the order they were received. */
export interface WindowWatch {
  seen: number;
  stillMatches: boolean;
  recoveredAt: Date | null;
}

export function newWatch(): WindowWatch {
  return { seen: 0, stillMatches: true, recoveredAt: null };
}

/** One more snapshot of the window: whether the rule matched it (a rule that threw did not). */
export function watchSnapshot(watch: WindowWatch, at: Date, matched: boolean): void {
  watch.seen += 1;
  watch.stillMatches = matched;
  if (!matched && watch.recoveredAt === null) watch.recoveredAt = at;
}

/** The verdict: the latest snapshot decides; none at all is `unknown`. */
export function verdictOf(watch: WindowWatch): VerifiedOutcome {
  if (watch.seen === 0) return 'unknown';
  return watch.stillMatches ? 'ineffective' : 'effective';
}

/** After an ineffective outcome: a revert when asked for and the type has an inverse, else an escalation, or nothing. */
export function followUpFor(onIneffective: OnIneffective, revertible: boolean): FollowUp {
  if (onIneffective === 'none') return 'none';
  if (onIneffective === 'revert' && revertible) return 'revert';
  return 'escalate';
}

/**
 * The verdict a Prometheus check gives (a rule's `verify.prometheus`): effective when the query's
 * number compares to the check's value as its operator says, ineffective when not.
 */
export function checkOutcome(value: number, check: PrometheusCheck): 'effective' | 'ineffective' {
  const target = check.value;
  const holds = {
    lessThan: value < target,
    lessThanInclusive: value <= target,
    greaterThan: value > target,
    greaterThanInclusive: value >= target,
    equal: value === target,
    notEqual: value !== target,
  }[check.operator];
  return holds ? 'effective' : 'ineffective';
}
