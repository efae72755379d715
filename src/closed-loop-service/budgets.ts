import type { Rule } from '../domain/rule';
import type { AlertRecorder } from '../execution/alert-recorder';
import type { Decision } from '../domain/decision';
import type { BudgetView } from '../engine/decide';
import type { BudgetUsage, DispatchStore } from '../store/dispatch-store';
import type { LeaseStore } from '../store/lease-store';
import type { PipelineDepsOn } from '../execution/pipeline-deps';
import type { StrategyMap } from '../strategies/strategy';

/** The incidents of the snapshot being decided (its IncidentScope): where a held decision's alert is filed. */
export interface IncidentFinder {
  /** The incident a decision about `rule` on `target` joins; null when the store failed. */
  incidentFor(rule: Rule, target: string | null): Promise<{ id: string } | null>;
}

export interface BudgetDeps extends PipelineDepsOn<DispatchStore & LeaseStore> {
  strategies: StrategyMap;
  alerts: AlertRecorder;
}

/**
 * Blast-radius limits: at most `maxActions` actions per target in any window of
 * `limits.perTarget.windowMinutes` (a rule's `maxActionsPerTarget` overrides the count). The store
 * claims a slot in the same atomic step as the dispatch (the claim is named by the closed loop's
 * budgetClaimOf); this reads usage for decide and raises the one critical alert per exhausted window.
 */
export class BudgetPolicy {
  /** Alert keys of the current window already claimed (here or elsewhere): no store write to learn it again. */
  private claimedAlerts = new Set<string>();
  private claimedWindow = -1;

  constructor(private readonly deps: BudgetDeps) {}

  get windowMs(): number {
    return this.deps.config.limits.perTarget.windowMinutes * 60_000;
  }

  targetOf(rule: Rule): string | null {
    return this.deps.strategies.get(rule.action.type)?.targetOf(rule.action.params) ?? null;
  }

  /**
   * decide's read-only view of the budgets of these rules' targets at `now` (the instant being
   * decided); `usageOf` reads the claims (the store's, or what the pipeline's rule-state reader keeps).
   */
  async view(
    rules: Rule[],
    now: Date = this.deps.clock.now(),
    usageOf: (targets: string[], since: Date) => Promise<BudgetUsage> = (targets, since) => this.deps.store.getBudgetUsage(targets, since),
  ): Promise<BudgetView> {
    const targets = rules.map((r) => this.targetOf(r)).filter((t): t is string => t !== null);
    const since = new Date(now.getTime() - this.windowMs);
    const usage = targets.length > 0 ? await usageOf(targets, since) : new Map<string, Date[]>();
    return {
      windowMs: this.windowMs,
      defaultMax: this.deps.config.limits.perTarget.maxActions,
      targetOf: (rule) => this.targetOf(rule),
      usage,
    };
  }

  /**
   * One critical alert per target and window, on whichever instance gets there first. Windows are
   * consecutive periods of `windowMinutes` from the epoch, so every instance names the same one
   * without agreeing on anything else.
   */
  alertExhausted(decision: Decision, rule: Rule, now: Date = this.deps.clock.now(), incidents?: IncidentFinder): Promise<void> | undefined {
    if (decision.decision !== 'budget_exhausted' || !decision.target || !decision.until) return undefined;
    const window = Math.floor(now.getTime() / this.windowMs);
    if (window !== this.claimedWindow) {
      this.claimedAlerts = new Set();
      this.claimedWindow = window;
    }
    const key = `budget-alert:${decision.target}#${window}`;
    // Every snapshot that matches a rule of a spent target comes here; once the window's one alert
    // is known to be taken, answering from memory spares a store write per such match.
    // Nothing to await then: no promise either (a storm held by a spent budget decides a few a snapshot).
    if (this.claimedAlerts.has(key)) return undefined;
    return this.claimAlert(key, decision, rule, now, incidents);
  }

  /** The store decides which instance raises the window's alert; this one raises it if it won. */
  private async claimAlert(key: string, decision: Decision, rule: Rule, now: Date, incidents: IncidentFinder | undefined): Promise<void> {
    const won = await this.deps.store.claimOnce(key, now);
    this.claimedAlerts.add(key);
    if (!won) return;
    // Only by the instance that raises the alert, once a window: the incident its held decision is
    // recorded in (its group's, as a dispatch's would be).
    const incidentId = (await incidents?.incidentFor(rule, decision.target ?? null))?.id ?? null;
    await this.deps.alerts.create({
      rule: rule.name,
      severity: 'critical',
      message: `automation for ${decision.target} is held until ${decision.until}: its budget of actions is spent (rule ${rule.name} matched again)`,
      metrics: { target: decision.target, until: decision.until },
      actionId: null,
      ...(incidentId ? { incidentId } : {}),
      channels: rule.notifications.channels,
    });
  }
}
