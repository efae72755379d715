import { THROTTLE_STEPS_KEPT, type ThrottleRestorePlan, type ThrottleState } from '../domain/state';

/**
 * The throttle's rules, as pure functions of its state: what applying, expiring and restoring do,
 * and how a change reads. ThrottleService stores and announces the results; the throttle strategy
 * reports them.
 */

export type ThrottleChange = 'activated' | 'tightened' | 'extended' | 'unchanged' | 'restored' | 'stepped' | 'stepped_back' | 'held';

/** What the rule that throttled says now, on the newest snapshot of its source ('unknown': none to judge). */
export type RuleVerdict = { verdict: 'matches' | 'clear' | 'unknown'; snapshotId?: string };

/** How a throttle comes back, from the rule's `restore` params. */
export interface RestoreRequest {
  steps: number[];
  stepMinutes: number;
  rule: string;
  source: string | null;
  actionId: string | null;
}

/** A state to write and the kind of change it is; `next: null` when nothing changes. */
export interface ThrottleStep {
  next: ThrottleState | null;
  change: ThrottleChange;
}

export interface ThrottleRequest {
  /** Fraction of the base limit asked for, in (0, 1]. */
  factor: number;
  minutes: number;
  /** No throttle goes below this fraction (config.throttle.minFactor). */
  minFactor: number;
  reason: string;
  /** Restore in steps rather than whole at the deadline. */
  restore?: RestoreRequest;
}

/** Avoids float noise such as 100 * 0.3 = 30.000000000000004 in what apps read. */
export function limitFor(baseLimit: number, factor: number): number {
  return Math.round(baseLimit * factor * 1000) / 1000;
}

export function inactiveThrottle(baseLimit: number): ThrottleState {
  return { active: false, factor: 1, limit: baseLimit, baseLimit, until: null, previous: null, reason: null };
}

export function isExpired(state: ThrottleState, now: Date): boolean {
  return state.active && state.until !== null && Date.parse(state.until) <= now.getTime();
}

/** Back to the rate from before the first trigger (`previous`). */
export function restoredFrom(state: ThrottleState): ThrottleState {
  return {
    ...inactiveThrottle(state.baseLimit),
    factor: state.previous?.factor ?? 1,
    limit: state.previous?.limit ?? state.baseLimit,
  };
}

/**
 * Re-triggering while active never compounds: the new factor is max(minFactor, min(current,
 * requested)) — the strictest one asked for, never below the floor — and the deadline moves to the
 * later of the two. An expired throttle that no sweep has restored yet counts as inactive.
 */
export function applied(stored: ThrottleState, request: ThrottleRequest, now: Date): ThrottleStep {
  const current = isExpired(stored, now) ? restoredFrom(stored) : stored;
  const deadline = new Date(now.getTime() + request.minutes * 60_000);
  if (!current.active) {
    const factor = Math.max(request.minFactor, request.factor);
    const plan = planFor(request.restore, factor);
    return {
      next: {
        active: true,
        factor,
        limit: limitFor(current.baseLimit, factor),
        baseLimit: current.baseLimit,
        until: deadline.toISOString(),
        previous: { factor: current.factor, limit: current.limit },
        reason: request.reason,
        ...(plan ? { restore: plan } : {}),
      },
      change: 'activated',
    };
  }
  const factor = Math.max(request.minFactor, Math.min(current.factor, request.factor));
  const currentUntil = current.until ? Date.parse(current.until) : 0;
  const until = new Date(Math.max(currentUntil, deadline.getTime())).toISOString();
  const tightened = factor < current.factor;
  const extended = until !== current.until;
  // Matched again while stepping up: back at full strength, and the steps start over from there.
  const stepping = current.restore !== undefined && current.restore.next > 0 && restoresInSteps(current);
  if (!tightened && !extended && !stepping) return { next: null, change: 'unchanged' };
  const plan = stepping ? planFor(request.restore ?? current.restore, factor, current.restore!.history) : current.restore;
  return {
    next: { ...current, factor, limit: limitFor(current.baseLimit, factor), until, reason: request.reason, ...(plan ? { restore: plan } : {}) },
    change: tightened ? 'tightened' : 'extended',
  };
}

/** A fresh plan for a throttle at `factor`: only the steps above it count. */
function planFor(
  request: Pick<RestoreRequest, 'steps' | 'stepMinutes' | 'rule' | 'source' | 'actionId'> | undefined,
  factor: number,
  history: ThrottleRestorePlan['history'] = [],
): ThrottleRestorePlan | undefined {
  if (!request) return undefined;
  const steps = request.steps.filter((s) => s > factor);
  if (steps.length === 0 || steps[steps.length - 1] !== 1) steps.push(1);
  return {
    steps,
    stepMinutes: request.stepMinutes,
    next: 0,
    throttledFactor: factor,
    rule: request.rule,
    source: request.source,
    actionId: request.actionId,
    history,
  };
}

/** Whether the deadline is a step of a restore in steps (decided by the sweep), not the end. */
export function restoresInSteps(state: ThrottleState): boolean {
  return state.active && state.restore !== undefined && state.restore.next < state.restore.steps.length;
}

/**
 * At the deadline of a throttle that restores in steps, given what its rule says now:
 * - the rule matches, on a step above the throttled factor → one step back (recorded), and wait a step;
 * - the rule matches, still at the throttled factor → hold there another step;
 * - otherwise (no longer matches, or nothing to judge by) → one step up; the last step restores.
 */
export function stepped(stored: ThrottleState, now: Date, judged: RuleVerdict): ThrottleStep {
  if (!isExpired(stored, now) || !restoresInSteps(stored)) return { next: null, change: 'unchanged' };
  const plan = stored.restore!;
  const at = now.toISOString();
  const until = new Date(now.getTime() + plan.stepMinutes * 60_000).toISOString();
  const on = judged.snapshotId ? ` (snapshot ${judged.snapshotId})` : '';
  const record = (change: 'stepped' | 'stepped_back' | 'restored', to: number, reason: string) =>
    [...plan.history, { at, change, from: stored.factor, to, reason }].slice(-THROTTLE_STEPS_KEPT);
  if (judged.verdict === 'matches') {
    if (plan.next === 0) return { next: { ...stored, until }, change: 'held' };
    const to = plan.next >= 2 ? plan.steps[plan.next - 2]! : plan.throttledFactor;
    const reason = `rule ${plan.rule} matches again${on}: one step back`;
    return {
      next: {
        ...stored,
        factor: to,
        limit: limitFor(stored.baseLimit, to),
        until,
        restore: { ...plan, next: plan.next - 1, history: record('stepped_back', to, reason) },
      },
      change: 'stepped_back',
    };
  }
  const why = judged.verdict === 'clear' ? `rule ${plan.rule} no longer matches${on}` : `no snapshot from ${plan.source ?? 'its source'} to judge rule ${plan.rule} by`;
  const to = plan.steps[plan.next]!;
  if (plan.next === plan.steps.length - 1) {
    const restored = restoredFrom(stored);
    return {
      next: { ...restored, restore: { ...plan, next: plan.steps.length, history: record('restored', restored.factor, `${why}: restored`) } },
      change: 'restored',
    };
  }
  return {
    next: {
      ...stored,
      factor: to,
      limit: limitFor(stored.baseLimit, to),
      until,
      restore: { ...plan, next: plan.next + 1, history: record('stepped', to, `${why}: one step up`) },
    },
    change: 'stepped',
  };
}

/** Lifting by hand (DELETE): restores an active throttle, leaves an inactive one be. */
export function lifted(stored: ThrottleState): ThrottleStep {
  return stored.active ? { next: restoredFrom(stored), change: 'restored' } : { next: null, change: 'unchanged' };
}

/** The expiry sweep: restores a throttle whose deadline has passed. */
export function expired(stored: ThrottleState, now: Date): ThrottleStep {
  // A throttle restoring in steps is brought back by its steps (the sweep judges each), not at once.
  return isExpired(stored, now) && !restoresInSteps(stored) ? { next: restoredFrom(stored), change: 'restored' } : { next: null, change: 'unchanged' };
}

/**
 * Back to the rate in force before an action (its revert): lifted when there was no throttle,
 * otherwise that factor again, keeping the deadline and `previous`. Nothing to do once it has ended.
 */
export function revertedTo(stored: ThrottleState, before: { active: boolean; factor: number }, reason: string): ThrottleStep {
  if (!stored.active) return { next: null, change: 'unchanged' };
  if (!before.active) return { next: restoredFrom(stored), change: 'restored' };
  if (stored.factor === before.factor) return { next: null, change: 'unchanged' };
  return { next: { ...stored, factor: before.factor, limit: limitFor(stored.baseLimit, before.factor), reason }, change: 'restored' };
}

/** Whether the state apps read (`seen`) holds at least the throttle that was applied (`to`). */
export function holdsThrottle(seen: ThrottleState, to: ThrottleState): boolean {
  return seen.active && seen.factor <= to.factor && seen.until !== null && seen.until >= (to.until ?? '');
}

/** One line on what applying did, for the action's summary. */
export function describeApplied(change: ThrottleChange, to: ThrottleState): string {
  const pct = `${Math.round(to.factor * 1000) / 10}%`;
  if (change === 'activated') return `request rate throttled to ${pct} (limit ${to.limit} of ${to.baseLimit}) until ${to.until}`;
  if (change === 'tightened') return `throttle tightened to ${pct} (limit ${to.limit} of ${to.baseLimit}) until ${to.until}`;
  if (change === 'extended') return `throttle at ${pct} extended until ${to.until}`;
  return `throttle already at ${pct} until ${to.until}; nothing changed`;
}
