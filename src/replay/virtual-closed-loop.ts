import type { OnIneffective, VerifySpec } from '../domain/action';
import type { ActionType, Rule } from '../domain/rule';
import type { BudgetView } from '../engine/decide';
import type { DispatchRefusal } from '../domain/rule-state';

/** What a replay needs to play issue 10's loop: the service's limits, verification defaults and strategies' facts. */
export interface ClosedLoopSettings {
  /** limits.perTarget */
  perTarget: { windowMinutes: number; maxActions: number };
  /** The verification in force for a rule (its own `verify`, else its type's default); null: none. */
  verifySpecFor: (rule: Rule) => VerifySpec | null;
  targetOf: (rule: Rule) => string | null;
  revertible: (type: ActionType) => boolean;
}

export type ReplayOutcome = 'effective' | 'ineffective' | 'unknown';

/** A verification window decided on the virtual clock, and what the service would have done next. */
export interface VirtualOutcome {
  /** When the window ended: the sweep decides then. */
  at: Date;
  source: string;
  rule: string;
  actionId: string;
  outcome: ReplayOutcome;
  /** The first snapshot in the window on which the rule no longer matched. */
  recoveredAt: Date | null;
  /** For `ineffective`: a revert (the type has an inverse and the rule asks for one), an escalation, or nothing. */
  followUp?: 'revert' | 'escalate' | 'none';
}

interface Window {
  actionId: string;
  rule: Rule;
  source: string;
  until: number;
  onIneffective: OnIneffective;
  seen: number;
  stillMatches: boolean;
  recoveredAt: number | null;
}

/**
 * The per-target budgets and the verification windows of a replay, in memory on the virtual clock:
 * the claims `decide` reads as budget use, taken the way the store's dispatch takes them, and the
 * windows the executor opens when an action succeeds, decided the way the verification sweep does.
 * It only records: nothing is reverted or escalated.
 */
export class VirtualClosedLoop {
  private readonly windowMs: number;
  /** Per target, the claims still inside the window, newest first (as the store returns them). */
  private readonly claims = new Map<string, Date[]>();
  private windows: Window[] = [];

  constructor(private readonly settings: ClosedLoopSettings) {
    this.windowMs = settings.perTarget.windowMinutes * 60_000;
  }

  /** decide's read-only view of the budgets at `now`. */
  budgetView(now: number): BudgetView {
    const since = now - this.windowMs;
    for (const [target, list] of this.claims) {
      const kept = list.filter((at) => at.getTime() > since);
      if (kept.length === 0) this.claims.delete(target);
      else this.claims.set(target, kept);
    }
    return { windowMs: this.windowMs, defaultMax: this.settings.perTarget.maxActions, targetOf: this.settings.targetOf, usage: this.claims };
  }

  /**
   * A dispatch (run or put to approval) takes a slot of its rule's target, or is refused the way
   * the store's dispatch refuses it when the slot went meanwhile — to a rule decided on the same
   * snapshot, since decide reads the budgets once for all of them.
   */
  claim(rule: Rule, now: number): DispatchRefusal | null {
    const target = this.settings.targetOf(rule);
    if (target === null) return null;
    const max = rule.maxActionsPerTarget ?? this.settings.perTarget.maxActions;
    const used = (this.claims.get(target) ?? []).filter((at) => at.getTime() > now - this.windowMs);
    if (used.length >= max) return { reason: 'budget_exhausted', target, until: new Date(used[max - 1]!.getTime() + this.windowMs) };
    this.claims.set(target, [new Date(now), ...used]);
    return null;
  }

  /** An action that ran (and, in a replay, succeeded) opens its window when its rule is verified. */
  open(actionId: string, rule: Rule, source: string, now: number): void {
    const spec = this.settings.verifySpecFor(rule);
    if (!spec) return;
    this.windows.push({ actionId, rule, source, until: now + spec.windowMinutes * 60_000, onIneffective: spec.onIneffective, seen: 0, stillMatches: true, recoveredAt: null });
  }

  /** The windows that ended before `now` (a snapshot at the very end still counts), oldest end first. */
  decideEnded(now: number): VirtualOutcome[] {
    return this.take((w) => w.until < now);
  }

  /** At the end of a replay: the windows that ended by `end`; the rest stay open (counted as pending). */
  decideUpTo(end: number): VirtualOutcome[] {
    return this.take((w) => w.until <= end);
  }

  /** The rules of the windows still open, one entry per window. */
  openWindowRules(): string[] {
    return this.windows.map((w) => w.rule.name);
  }

  /** A snapshot from `source` at `now`: each open window on that source notes whether its rule still matches. */
  observe(source: string, now: number, matched: ReadonlySet<string>): void {
    for (const w of this.windows) {
      if (w.source !== source || now > w.until) continue;
      w.seen += 1;
      w.stillMatches = matched.has(w.rule.name);
      if (!w.stillMatches && w.recoveredAt === null) w.recoveredAt = now;
    }
  }

  private take(ended: (w: Window) => boolean): VirtualOutcome[] {
    const done = this.windows.filter(ended).sort((a, b) => a.until - b.until);
    if (done.length === 0) return [];
    this.windows = this.windows.filter((w) => !ended(w));
    return done.map((w) => {
      const outcome: ReplayOutcome = w.seen === 0 ? 'unknown' : w.stillMatches ? 'ineffective' : 'effective';
      const decided: VirtualOutcome = {
        at: new Date(w.until),
        source: w.source,
        rule: w.rule.name,
        actionId: w.actionId,
        outcome,
        recoveredAt: w.recoveredAt === null ? null : new Date(w.recoveredAt),
      };
      if (outcome === 'ineffective') decided.followUp = this.followUp(w);
      return decided;
    });
  }

  /** As VerificationService.onIneffective: revert when asked and the type has an inverse, else escalate. */
  private followUp(w: Window): 'revert' | 'escalate' | 'none' {
    if (w.onIneffective === 'none') return 'none';
    if (w.onIneffective === 'revert' && this.settings.revertible(w.rule.action.type)) return 'revert';
    return 'escalate';
  }
}
