import type { ActionRecord } from '../domain/action';
import type { Decision } from '../domain/decision';
import { buildEvent } from '../domain/events';
import { type FaultPoints, noFaults } from '../domain/fault-points';
import type { PauseState } from '../domain/pause';
import type { Rule } from '../domain/rule';
import type { RuleState } from '../domain/rule-state';
import type { Silence } from '../silences/silence';
import type { StoredSnapshot } from '../domain/snapshot';
import type { BudgetView } from '../engine/decide';
import type { ClosedLoopPort, Dispatched, Match, RunOutcome } from '../closed-loop/closed-loop';
import type { CooldownMemory } from '../closed-loop/cooldown-memory';
import type { DispatchRequest } from '../closed-loop/dispatch-rules';
import type { InhibitingAction } from '../closed-loop/inhibition-window';
import { approvalRequestData } from '../notifications/approval-request';
import type { IncidentScope } from '../incidents/incident-service';
import type { ApprovalService } from '../approvals/approvals';
import type { BudgetPolicy } from '../closed-loop-service/budgets';
import type { ActionExecutor } from '../execution/executor';
import { newAction } from './new-action';
import type { PauseService } from '../execution/pause';
import type { ActionStore } from '../store/action-store';
import type { Store } from '../store/store';
import type { DispatchStore } from '../store/dispatch-store';
import type { PipelineDepsOn } from '../execution/pipeline-deps';
import type { RuleStateReader } from './rule-state-reader';

const EXPIRY_CACHE_LIMIT = 10_000;
const INHIBITING_STATUSES: ActionRecord['status'][] = ['pending_approval', 'approved', 'running', 'succeeded'];
const INHIBITING_PER_RULE = 20;
/** More than any limits.perIncident.maxActions is read as "spent": the schema caps it below this. */
const INCIDENT_ACTIONS_READ = 1001;

/** What the service passes along with a dispatch: the snapshot it came from (none for a trigger) and who asked. */
export interface StoreContext {
  snapshot: StoredSnapshot | null;
  requestedBy: string;
  /** The incidents of this snapshot (or trigger): a dispatch joins its group's before it is stored. */
  incidents?: IncidentScope;
}

export interface StorePortDeps extends PipelineDepsOn<ActionStore & DispatchStore & Pick<Store, 'silences' | 'incidents'>> {
  executor: Pick<ActionExecutor, 'run'>;
  ruleStates: RuleStateReader;
  pause: Pick<PauseService, 'current'>;
  budgets: Pick<BudgetPolicy, 'view' | 'alertExhausted'>;
  approvals: Pick<ApprovalService, 'expireIfDue'>;
  /** Recorded as the `runner` of actions this instance dispatches as running. */
  instanceId: string;
  faults?: FaultPoints;
}

/**
 * The service's closed-loop port: state in the store, shared by every instance. A dispatch is the
 * store's atomic step (action inserted, cooldown moved, budget slot claimed, or refused) with its
 * events committed alongside; runs go to the executor.
 */
export class StoreClosedLoopPort implements ClosedLoopPort<StoreContext> {
  /** Actions dispatched here and not yet handed to the executor. */
  private readonly dispatchedActions = new Map<string, { action: ActionRecord; rule: Rule }>();
  /** Deadlines of open approvals seen, by action id. */
  private readonly expiries = new Map<string, Date | null>();

  constructor(private readonly deps: StorePortDeps) {
    this.cooldowns = deps.ruleStates.cooldowns;
  }

  readonly cooldowns: CooldownMemory;

  /**
   * decide's view at `now`. An approval whose deadline has passed is expired here if the sweep has
   * not done it yet, so what is decided never depends on when the sweep last ran (and a replay,
   * which expires approvals at their deadline, decides the same).
   */
  async ruleStates(rules: string[], now: Date): Promise<ReadonlyMap<string, RuleState>> {
    const states = await this.deps.ruleStates.read(rules, now);
    for (const [rule, state] of states) {
      const id = state.openApprovalId;
      if (id === null) continue;
      if (await this.deps.approvals.expireIfDue({ id, expiresAt: await this.expiryOf(id) }, now)) states.set(rule, { ...state, openApprovalId: null });
    }
    return states;
  }

  /** An approval's deadline never changes: read once per approval. */
  private async expiryOf(id: string): Promise<Date | null> {
    if (!this.expiries.has(id)) {
      if (this.expiries.size >= EXPIRY_CACHE_LIMIT) this.expiries.clear();
      this.expiries.set(id, (await this.deps.store.getAction(id))?.expiresAt ?? null);
    }
    return this.expiries.get(id)!;
  }

  async pause(): Promise<PauseState> {
    return this.deps.pause.current();
  }

  /** The silences in their period at `now`, as every instance sees them. */
  silences(now: Date): Promise<Silence[]> {
    return this.deps.store.silences.silencesOverlapping(now, now);
  }

  /** Read after ruleStates (the closed loop decides in that order), so the claims kept with its version stand. */
  budgetView(rules: Rule[], now: Date): Promise<BudgetView> {
    return this.deps.budgets.view(rules, now, (targets, since) => this.deps.ruleStates.budgetUsage(targets, since));
  }

  /** Per group key, its open incident and how many actions it has (reverts and failbacks are never budgeted). */
  async incidentUsage(keys: string[]): Promise<ReadonlyMap<string, { incidentId: string; count: number }>> {
    const used = new Map<string, { incidentId: string; count: number }>();
    await Promise.all(
      keys.map(async (key) => {
        const incident = await this.deps.store.incidents.openIncidentOf(key);
        if (!incident) return;
        const { items } = await this.deps.store.listActions({ incidentId: incident.id, limit: INCIDENT_ACTIONS_READ });
        used.set(key, { incidentId: incident.id, count: items.filter((a) => a.revertOf === undefined && a.failbackOf === undefined && a.status !== 'shadowed').length });
      }),
    );
    return used;
  }

  /** The newest actions of each inhibiting rule that could still inhibit (a few per rule: its cooldown spaces them). */
  async inhibitingActions(rules: { rule: string; since: Date }[]): Promise<InhibitingAction[]> {
    const pages = await Promise.all(
      rules.map(({ rule, since }) => this.deps.store.listActions({ rule, since, status: INHIBITING_STATUSES, limit: INHIBITING_PER_RULE })),
    );
    return pages.flatMap((page) =>
      page.items.map((a): InhibitingAction => ({ ...a, target: a.target ?? null, source: a.snapshot?.source ?? null })),
    );
  }

  async dispatch(request: DispatchRequest, match: Match, context: StoreContext): Promise<Dispatched> {
    const { store, config } = this.deps;
    const { rule, now } = request;
    const incident = request.status === 'shadowed' ? null : await context.incidents?.incidentFor(rule, request.target);
    const action = newAction({
      rule,
      status: request.status,
      now,
      requestedBy: context.requestedBy,
      snapshot: context.snapshot,
      matchedFacts: request.status === 'shadowed' ? { ...match.matchedFacts, shadow: { wouldDecide: request.decision.wouldDecide } } : match.matchedFacts,
      expiresAt: request.expiresAt,
      ...(request.status === 'shadowed' ? {} : { runner: this.deps.instanceId, target: request.target, verify: request.verify, incidentId: incident?.id ?? null }),
    });
    const events = this.eventsFor(request, action, match);
    const outcome = await store.dispatchAction(action, request.cooldownUntil, now, request.budget ?? undefined, events);
    this.deps.ruleStates.learn(rule.name, request.cooldownUntil, outcome, now);
    if (!outcome.ok) return outcome;
    if (request.status !== 'shadowed') (this.deps.faults ?? noFaults).reach('action.after-dispatch');
    for (const event of events) this.deps.notifier.notify(event);
    if (request.status === 'running') this.dispatchedActions.set(action.id, { action, rule });
    return { ok: true, actionId: action.id, status: action.status };
  }

  budgetExhausted(decision: Decision, rule: Rule, now: Date, context: StoreContext): Promise<void> | undefined {
    return this.deps.budgets.alertExhausted(decision, rule, now, context.incidents);
  }

  async run(_request: DispatchRequest, actionId: string): Promise<RunOutcome> {
    const dispatched = this.dispatchedActions.get(actionId)!;
    this.dispatchedActions.delete(actionId);
    const final = await this.deps.executor.run(dispatched.action, dispatched.rule);
    return { status: final.status, error: final.error };
  }

  /** People decide later (ApprovalService); the pending-approval event went out with the dispatch. */
  async approvalRequested(): Promise<void> {}

  /** The events committed with the action itself: no crash can separate them. */
  private eventsFor(request: DispatchRequest, action: ActionRecord, match: Match) {
    const { rule, now } = request;
    const { config } = this.deps;
    if (request.status === 'pending_approval') {
      return [
        buildEvent('action.pending_approval', now, {
          action,
          channels: rule.notifications.channels,
          data: approvalRequestData({ rule, action, matchedFacts: match.matchedFacts, publicUrl: config.notifications.publicUrl }),
        }),
      ];
    }
    if (request.status === 'shadowed') {
      // Only to notifications.shadowChannels; none, no event.
      const channels = config.notifications.shadowChannels;
      return channels.length > 0
        ? [buildEvent('action.shadowed', now, { action, channels, data: { wouldDecide: request.decision.wouldDecide, matchedFacts: match.matchedFacts } })]
        : [];
    }
    return [];
  }
}
