import type { VerifySpec } from '../domain/action';
import type { Rule } from '../domain/rule';
import type { Silence } from '../silences/silence';
import type { RuleState } from '../domain/rule-state';
import { budgetSpentUntil, claimCounts } from '../domain/budget-slot';
import type { BudgetView } from '../engine/decide';
import type { ClosedLoopPort, Dispatched, RunOutcome } from './closed-loop';
import { CooldownMemory } from './cooldown-memory';
import { approvalExpired, type DispatchRequest } from './dispatch-rules';
import type { InhibitingAction } from './inhibition-window';
import { countsInWindow, type FollowUp, followUpFor, newWatch, type VerifiedOutcome, verdictOf, type WindowWatch, watchSnapshot, windowDue, windowEnd } from './verification-rules';
import type { ClosedLoopSettings } from './settings';

/** What happens to the approvals a replay asks for: granted, refused, or left open until they expire. */
export const APPROVAL_POLICIES = ['approve', 'reject', 'pending'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

export type ReplayOutcome = VerifiedOutcome;

/** A verification window decided on the virtual clock, and what the service would have done next. */
export interface VirtualOutcome {
  /** When the window ended: the sweep decides it past then. */
  at: Date;
  source: string;
  rule: string;
  actionId: string;
  outcome: ReplayOutcome;
  /** The first snapshot in the window on which the rule no longer matched. */
  recoveredAt: Date | null;
  /** For `ineffective`: a revert (the type has an inverse and the rule asks for one), an escalation, or nothing. */
  followUp?: FollowUp;
}

/** What a replay passes with each dispatch: the source of the snapshot, which the action's window watches. */
export interface MemoryContext {
  source: string;
}

interface Window {
  actionId: string;
  rule: Rule;
  source: string;
  finishedAt: Date;
  until: Date;
  onIneffective: VerifySpec['onIneffective'];
  watch: WindowWatch;
}

export interface MemoryPortOptions {
  approvals: ApprovalPolicy;
  settings: ClosedLoopSettings;
  /** Play per-target budgets and verification windows; off, neither is played. */
  closedLoop: boolean;
  /** The silences of the history replayed (expired ones too): each holds at the instants it was in force. */
  silences?: readonly Silence[];
}

/**
 * The closed loop's state in memory, on a virtual clock: what the store keeps for the service
 * (cooldown ends, open approvals, per-target budget claims, verification windows), changed by the
 * same dispatch rules. Silences hold as they did at each instant (created, not yet expired, their
 * schedule on); automation is never paused; every action run succeeds; approvals follow the
 * replay's policy at once; nothing is reverted or escalated, only recorded.
 */
export class MemoryClosedLoopPort implements ClosedLoopPort<MemoryContext> {
  private readonly cooldownEnds = new Map<string, number>();
  /** The same ends, with what a match in them comes to (the closed loop's cooldown fast path). */
  readonly cooldowns = new CooldownMemory();
  private readonly openApprovals = new Map<string, { id: string; expiresAt: Date }>();
  /** Per target, the claims still inside the window, newest first (as the store returns them). */
  private readonly claims = new Map<string, number[]>();
  private windows: Window[] = [];
  /** The actions of rules with `inhibits`, as decide's view of inhibition reads them. */
  private inhibitors: InhibitingAction[] = [];
  private sequence = 0;

  constructor(private readonly options: MemoryPortOptions) {}

  async ruleStates(rules: string[], now: Date): Promise<ReadonlyMap<string, RuleState>> {
    const states = new Map<string, RuleState>();
    for (const rule of rules) {
      const until = this.cooldownEnds.get(rule);
      states.set(rule, {
        cooldownUntil: until !== undefined && until > now.getTime() ? new Date(until) : null,
        openApprovalId: this.openApproval(rule, now),
      });
    }
    return states;
  }

  async pause(): Promise<null> {
    return null;
  }

  async silences(): Promise<readonly Silence[]> {
    return this.options.silences ?? [];
  }

  async budgetView(_rules: Rule[], now: Date): Promise<BudgetView | undefined> {
    if (!this.options.closedLoop) return undefined;
    const { perTarget, targetOf } = this.options.settings;
    const windowMs = perTarget.windowMinutes * 60_000;
    const usage = new Map<string, Date[]>();
    for (const [target, list] of this.claims) {
      const kept = list.filter((at) => claimCounts(at, now.getTime(), windowMs));
      if (kept.length === 0) this.claims.delete(target);
      else {
        this.claims.set(target, kept);
        usage.set(target, kept.map((at) => new Date(at)));
      }
    }
    return { windowMs, defaultMax: perTarget.maxActions, targetOf, usage };
  }

  async inhibitingActions(rules: { rule: string; since: Date }[]): Promise<InhibitingAction[]> {
    const oldest = Math.min(...rules.map((r) => r.since.getTime()));
    this.inhibitors = this.inhibitors.filter((a) => a.createdAt.getTime() >= oldest);
    const since = new Map(rules.map((r) => [r.rule, r.since.getTime()]));
    return this.inhibitors.filter((a) => a.createdAt.getTime() >= (since.get(a.rule) ?? Number.POSITIVE_INFINITY));
  }

  async dispatch(request: DispatchRequest, _match?: unknown, context?: MemoryContext): Promise<Dispatched> {
    const { rule, now } = request;
    const until = this.cooldownEnds.get(rule.name);
    if (until !== undefined && until > now.getTime()) return { ok: false, reason: 'cooldown', until: new Date(until) };
    if (request.status === 'pending_approval') {
      const open = this.openApproval(rule.name, now);
      if (open !== null) return { ok: false, reason: 'duplicate_pending', actionId: open };
    }
    const budget = this.options.closedLoop ? request.budget : null;
    if (budget) {
      const used = this.claims.get(budget.target) ?? [];
      const spent = budgetSpentUntil(used, now.getTime(), budget.windowMs, budget.maxActions);
      if (spent !== null) return { ok: false, reason: 'budget_exhausted', target: budget.target, until: new Date(spent) };
      this.claims.set(budget.target, [now.getTime(), ...used]);
    }
    this.sequence += 1;
    const id = `replay-${this.sequence}`;
    this.cooldownEnds.set(rule.name, request.cooldownUntil.getTime());
    this.cooldowns.remember(rule.name, request.cooldownUntil, now.getTime());
    if (request.status === 'pending_approval') this.openApprovals.set(rule.name, { id, expiresAt: request.expiresAt! });
    if (rule.inhibits && request.status !== 'shadowed') {
      this.inhibitors.push({ id, rule: rule.name, status: request.status, createdAt: now, expiresAt: request.expiresAt, target: request.target, source: context?.source ?? null });
    }
    return { ok: true, actionId: id, status: request.status };
  }

  /** A replay raises no alerts: nothing to wait for. */
  budgetExhausted(): undefined {
    return undefined;
  }

  /** Every run succeeds at once, and opens its window when the rule is verified. */
  async run(request: DispatchRequest, actionId: string, context: MemoryContext): Promise<RunOutcome> {
    const verifyUntil = this.options.closedLoop && request.verify ? windowEnd(request.now, request.verify) : null;
    if (this.options.closedLoop && request.verify) {
      this.windows.push({ actionId, rule: request.rule, source: context.source, finishedAt: request.now, until: verifyUntil!, onIneffective: request.verify.onIneffective, watch: newWatch() });
    }
    this.changeInhibitor(actionId, verifyUntil ? { status: 'succeeded', outcome: 'pending', verifyUntil } : { status: 'succeeded' });
    return { status: 'succeeded' };
  }

  private changeInhibitor(actionId: string, change: Partial<InhibitingAction>): void {
    const i = this.inhibitors.findIndex((a) => a.id === actionId);
    if (i >= 0) this.inhibitors[i] = { ...this.inhibitors[i]!, ...change };
  }

  /** The replay's policy decides at once: approved (and run), rejected, or left open until it expires. */
  async approvalRequested(request: DispatchRequest, actionId: string, context: MemoryContext): Promise<void> {
    if (this.options.approvals === 'pending') return;
    this.openApprovals.delete(request.rule.name);
    if (this.options.approvals === 'reject') this.changeInhibitor(actionId, { status: 'rejected' });
    if (this.options.approvals === 'approve') await this.run(request, actionId, context);
  }

  /** A snapshot from `source` at `now`: each window on that source it counts for notes whether its rule matched. */
  observe(source: string, now: Date, matched: ReadonlySet<string>): void {
    for (const w of this.windows) {
      if (w.source === source && countsInWindow(now, w.finishedAt, w.until)) watchSnapshot(w.watch, now, matched.has(w.rule.name));
    }
  }

  /** The windows due at `now` (the verification sweep's work), oldest end first. */
  decideDue(now: Date): VirtualOutcome[] {
    return this.take((w) => windowDue(w.until, now));
  }

  /** At the end of a replay, after every snapshot up to `end`: the windows that ended by then. */
  decideUpTo(end: Date): VirtualOutcome[] {
    return this.take((w) => w.until.getTime() <= end.getTime());
  }

  /** The rules of the windows still open, one entry per window. */
  openWindowRules(): string[] {
    return this.windows.map((w) => w.rule.name);
  }

  private openApproval(rule: string, now: Date): string | null {
    const open = this.openApprovals.get(rule);
    if (!open) return null;
    // Expired: the approval sweep marks it so at that instant.
    if (approvalExpired(open.expiresAt, now)) {
      this.openApprovals.delete(rule);
      return null;
    }
    return open.id;
  }

  private take(ended: (w: Window) => boolean): VirtualOutcome[] {
    const done = this.windows.filter(ended).sort((a, b) => a.until.getTime() - b.until.getTime());
    if (done.length === 0) return [];
    this.windows = this.windows.filter((w) => !ended(w));
    return done.map((w) => {
      const outcome = verdictOf(w.watch);
      this.changeInhibitor(w.actionId, { outcome });
      const decided: VirtualOutcome = { at: w.until, source: w.source, rule: w.rule.name, actionId: w.actionId, outcome, recoveredAt: w.watch.recoveredAt };
      if (outcome === 'ineffective') decided.followUp = followUpFor(w.onIneffective, this.options.settings.revertible(w.rule.action.type));
      return decided;
    });
  }
}
