import { performance } from 'node:perf_hooks';
import { ingestReply, type ReplyDecisions } from './ingest-reply';
import type { ActionRecord, VerifySpec } from '../domain/action';
import { type IngestObserver, NO_INGEST_OBSERVER } from '../domain/observers';
import type { ActionType, Rule, Ruleset } from '../domain/rule';
import type { Snapshot, StoredSnapshot } from '../domain/snapshot';
import { copyDecisionDetails, type DecisionDetails } from '../domain/decision';
import { approvalRequired, decisionForRefusal, evaluationErrorDecision, isSharedDecision } from '../engine/decide';
import type { RuleDecision, RuleDecisionKind } from '../engine/rule-decisions';
import type { Evaluator, RuleEvaluation, RuleEvaluationMode } from '../engine/evaluate';
import type { EnabledEvaluation } from '../engine/enabled-evaluation';
import type { ConditionOutcome } from '../engine/condition-outcomes';
import { ConflictError, NotFoundError } from '../errors';
import { timeOrderedId } from '../domain/time-ordered-id';
import type { FaultPoints } from '../domain/fault-points';
import { ClosedLoop, type RunOutcome } from '../closed-loop/closed-loop';
import { silenceFor } from '../silences/in-force';
import { subjectOf } from '../silences/matchers';
import { approvalExpiry } from '../closed-loop/dispatch-rules';
import { inhibitingRulesOf } from '../closed-loop/inhibition-window';
import { budgetClaimOf, type ClosedLoopSettings } from '../closed-loop/settings';
import { approvalRequestData } from '../notifications/approval-request';
import { buildEvent } from '../domain/events';
import { newAction } from './new-action';
import type { RulesService } from '../rules/rules-service';
import type { PipelineDeps } from '../execution/pipeline-deps';
import type { StrategyMap } from '../strategies/strategy';
import type { EvaluationErrors } from './evaluation-errors';
import type { ApprovalService } from '../approvals/approvals';
import type { BudgetPolicy } from '../closed-loop-service/budgets';
import type { ActionExecutor } from '../execution/executor';
import type { PauseService } from '../execution/pause';
import { verifySpecFor } from '../closed-loop-service/verification';
import { RuleStateReader } from './rule-state-reader';
import { type StoreContext, StoreClosedLoopPort } from './store-port';
import { type DecidedRule, groupsIncident, type IncidentScope, type IncidentService } from '../incidents/incident-service';

export interface RemediationDeps extends PipelineDeps {
  rules: RulesService;
  evaluator: Evaluator;
  strategies: StrategyMap;
  executor: ActionExecutor;
  evaluationErrors: EvaluationErrors;
  /** Recorded as the `runner` of actions this instance dispatches as running. */
  instanceId: string;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
  pause: Pick<PauseService, 'current'>;
  budgets: BudgetPolicy;
  /** Expires an overdue approval met while deciding, before the sweep does. */
  approvals: Pick<ApprovalService, 'expireIfDue'>;
  /** Told of each ingested snapshot, evaluation time and decision (the metrics module). */
  observer?: IngestObserver;
  /** Groups what each snapshot sets off into incidents (docs/incidents.md); none: no grouping. */
  incidents?: Pick<IncidentService, 'scope' | 'groupKeyOf' | 'openById' | 'announceChange' | 'failed'>;
}

/** One entry of an ingest reply. */
export interface AppliedDecision extends DecisionDetails {
  rule: string;
  decision: RuleDecisionKind;
  reason: string;
}

export interface IngestResult {
  snapshotId: string;
  rulesVersion: string;
  /** The decisions, in priority order; with `decisions: 'acted'`, without `cooldown` and `duplicate_pending` ones. */
  decisions: AppliedDecision[];
  /** Every decision taken for the snapshot, by kind (only kinds that occurred), listed or not. */
  counts: Partial<Record<RuleDecisionKind, number>>;
}

/** One entry of a simulate reply: the decision ingest would take, and why. */
export interface SimulatedRule extends Omit<DecisionDetails, 'status'> {
  rule: string;
  enabled: boolean;
  priority: number;
  action: { type: ActionType; params: Record<string, unknown> };
  requiresApproval: boolean;
  matched: boolean;
  decision: RuleDecisionKind | 'no_match' | 'disabled';
  reason: string;
  /** For a disabled rule: what ingest would decide if it were enabled. */
  ifEnabled?: RuleDecisionKind;
  matchedFacts?: Record<string, unknown>;
  failedConditions?: ConditionOutcome[];
}

export interface SimulateResult {
  rulesVersion: string;
  at: string;
  results: SimulatedRule[];
}

export interface IngestOptions {
  requestedBy: string;
  /** Wait for executed actions to finish and report their final status. */
  waitForOutcome?: boolean;
  /** Which decisions the reply lists (ingest-reply): all (default), or only those that acted. */
  decisions?: ReplyDecisions;
}

export interface TriggerOptions extends IngestOptions {
  /** Why the person asked; kept with the action (matchedFacts.manualTrigger) for whoever approves it. */
  reason?: string;
}

/**
 * An action the service asks for itself (a failback), for the rule it acts on behalf of. It takes
 * the pipeline's pause, budget, approval gate, execution and verification, but not the rule's
 * cooldown: that belongs to the rule's own matches.
 */
export interface SystemActionInput {
  /** The record's id, chosen beforehand by the caller (which reserved the dispatch under it). */
  id: string;
  /** The rule it acts for, carrying the action to run (its type and params). */
  rule: Rule;
  requestedBy: string;
  requiresApproval: boolean;
  /** How it is verified; null: not verified. */
  verify: VerifySpec | null;
  /** The snapshot it goes by (verification watches its source); `id` null when it is no longer stored. */
  snapshot: { id: string | null; source: string; timestamp: string; metrics: Record<string, unknown> } | null;
  matchedFacts: Record<string, unknown>;
  failbackOf?: string;
  /** The incident it joins while that is still open (a failback: its failover's). */
  incidentId?: string;
}

export type SystemDispatch =
  | { dispatched: true; action: ActionRecord; running: Promise<ActionRecord> | null }
  | { dispatched: false; reason: 'paused' | 'silenced' | 'budget_exhausted' | 'duplicate_pending' | 'cooldown'; detail: string };

/** The reply to a manual trigger: shaped like an ingest reply, with one decision. */
export interface TriggerResult {
  rulesVersion: string;
  requestedBy: string;
  decisions: AppliedDecision[];
}

/**
 * The pipeline: evaluate → decide → apply. Simulate runs the same evaluate and decide against the
 * same state and stops before apply, so it changes nothing.
 */
export class RemediationService {
  private readonly approvalDefaults: ReadonlyMap<ActionType, boolean>;

  /** Decide and dispatch: the closed loop shared with replay, on the store. */
  private readonly loop: ClosedLoop<StoreContext>;

  private readonly observer: IngestObserver;

  constructor(private readonly deps: RemediationDeps) {
    this.observer = deps.observer ?? NO_INGEST_OBSERVER;
    this.approvalDefaults = new Map([...deps.strategies].map(([type, s]) => [type, s.requiresApprovalByDefault]));
    const ruleStates = new RuleStateReader(deps.store, deps.clock);
    const port = new StoreClosedLoopPort({ ...deps, ruleStates });
    this.loop = new ClosedLoop(port, this.closedLoopSettings(), (rule) => this.requiresApproval(rule), () => inhibitingRulesOf(deps.rules.current().rules));
  }

  /** The service's limits and verification defaults, and its strategies' targets and inverses. */
  private closedLoopSettings(): ClosedLoopSettings {
    const { config, strategies, budgets, incidents } = this.deps;
    const perIncident = config.limits.perIncident;
    return {
      perTarget: config.limits.perTarget,
      approvalTimeoutMinutes: config.approvals.timeoutMinutes,
      verifySpecFor: (rule) => verifySpecFor(rule, config.verify.defaults),
      targetOf: (rule) => budgets.targetOf(rule),
      revertible: (type) => strategies.get(type)?.revert !== undefined,
      ...(perIncident && incidents ? { perIncident: { maxActions: perIncident.maxActions, keyOf: (rule: Rule, source: string | null) => incidents.groupKeyOf(rule, source) } } : {}),
    };
  }

  requiresApproval(rule: Rule): boolean {
    return approvalRequired(rule, this.approvalDefaults);
  }

  /** Whether the rule runs compiled or on json-rules-engine, and why (for the rules API). */
  evaluationOf(rule: Rule): RuleEvaluationMode {
    return this.deps.evaluator.modeOf(rule);
  }

  /** The verification and per-target budget in force for a rule (what GET /rules shows). */
  closedLoopOf(rule: Rule): { verify: VerifySpec | false; maxActionsPerTarget: number | null } {
    return {
      verify: verifySpecFor(rule, this.deps.config.verify.defaults) ?? false,
      maxActionsPerTarget: this.deps.budgets.targetOf(rule) === null ? null : (rule.maxActionsPerTarget ?? this.deps.config.limits.perTarget.maxActions),
    };
  }

  async ingest(snapshot: Snapshot, options: IngestOptions): Promise<IngestResult> {
    const { store } = this.deps;
    const stored = this.received(snapshot);
    const ruleset = this.deps.rules.current();
    // Evaluate before storing: a snapshot the engine cannot evaluate leaves nothing behind.
    const started = performance.now();
    const evaluations = await this.deps.evaluator.evaluateEnabled(ruleset, snapshot.metrics);
    this.observer.evaluated((performance.now() - started) / 1000);
    await store.insertSnapshot(stored);
    this.observer.snapshotIngested(snapshot.source);
    const decisions = await this.decideAndApply(evaluations, stored, options);
    return ingestReply(stored.id, ruleset.version, decisions, options.decisions ?? 'all');
  }

  /**
   * Several snapshots in one go, with exactly the decisions they would get sent one by one in this
   * order: all are evaluated first, stored in one transaction, then decided and applied in turn (so
   * the first one's cooldowns and approvals hold for the next).
   */
  async ingestBatch(snapshots: Snapshot[], optionsFor: (snapshot: Snapshot) => IngestOptions): Promise<IngestResult[]> {
    const { store } = this.deps;
    const ruleset = this.deps.rules.current();
    const stored = snapshots.map((s) => this.received(s));
    const evaluations: EnabledEvaluation[] = [];
    for (const s of snapshots) {
      const started = performance.now();
      evaluations.push(await this.deps.evaluator.evaluateEnabled(ruleset, s.metrics));
      this.observer.evaluated((performance.now() - started) / 1000);
    }
    await store.insertSnapshots(stored);
    for (const s of snapshots) this.observer.snapshotIngested(s.source);
    const results: IngestResult[] = [];
    for (const [i, s] of stored.entries()) {
      const options = optionsFor(snapshots[i]!);
      const decisions = await this.decideAndApply(evaluations[i]!, s, options);
      results.push(ingestReply(s.id, ruleset.version, decisions, options.decisions ?? 'all'));
    }
    return results;
  }

  /** A snapshot as stored: its id (time-ordered, see timeOrderedId) and when it was received. */
  private received(snapshot: Snapshot): StoredSnapshot {
    const receivedAt = this.deps.clock.now();
    return { ...snapshot, id: timeOrderedId(receivedAt.getTime()), receivedAt };
  }

  /**
   * Decides the matched rules and applies the decisions, in priority order, at the instant the
   * snapshot was stamped with; a rule that threw is reported as evaluation_error in its place (and
   * recorded) and the others go on as usual.
   */
  private async decideAndApply(evaluated: EnabledEvaluation, stored: StoredSnapshot, options: IngestOptions): Promise<AppliedDecision[]> {
    if (evaluated.length === 0) return [];
    for (let k = 0; k < evaluated.length; k++) {
      const error = evaluated.error(k);
      if (error !== undefined) await this.deps.evaluationErrors.record(evaluated.rule(k), error);
    }
    const incidents = this.deps.incidents?.scope({ snapshotId: stored.id, source: stored.source, at: stored.receivedAt });
    const results = await this.loop.decideAndApply(evaluated, stored.receivedAt, { snapshot: stored, requestedBy: options.requestedBy, ...(incidents ? { incidents } : {}) }, stored.source);
    if (incidents) await recordIncidents(incidents, results.map((r) => r.decision), (i) => evaluated.rule(i));
    const outcomes: Promise<AppliedDecision>[] = [];
    const applied = results.map((result): AppliedDecision => {
      const shown = pick(result.decision);
      this.observer.decided(shown.rule, shown.decision);
      if (result.running) outcomes.push(this.finalOf(shown, result.running));
      return shown;
    });
    if (options.waitForOutcome && outcomes.length > 0) {
      const finished = new Map((await Promise.all(outcomes)).map((a) => [a.actionId, a]));
      for (const [i, a] of applied.entries()) {
        if (a.actionId && finished.has(a.actionId)) applied[i] = finished.get(a.actionId)!;
      }
    }
    return applied;
  }

  /** The reply entry once the executor is done with the action. */
  private finalOf(applied: AppliedDecision, running: Promise<RunOutcome>): Promise<AppliedDecision> {
    return running.then((final): AppliedDecision => ({ ...applied, status: final.status, ...(final.error ? { reason: final.error } : {}) }));
  }

  /**
   * The decisions ingest would take. With a snapshot, every rule (or the named one) is evaluated;
   * with only a rule name, that rule is treated as matched so its action path can be checked.
   */
  async simulate(input: { snapshot?: Snapshot; ruleName?: string }): Promise<SimulateResult> {
    const ruleset = this.deps.rules.current();
    const now = this.deps.clock.now();
    let rules = ruleset.rules;
    if (input.ruleName !== undefined) {
      const rule = ruleset.byName.get(input.ruleName);
      if (!rule) throw new NotFoundError(`no rule named "${input.ruleName}"`);
      rules = [rule];
    }
    const evaluations: RuleEvaluation[] = input.snapshot
      ? await this.deps.evaluator.evaluateRules(rules, ruleset, input.snapshot.metrics)
      : rules.map((rule) => ({ rule, matched: true, matchedFacts: {}, failedConditions: [] }));
    // Disabled rules are decided as if enabled, to show what turning them on would do.
    const matched = evaluations.filter((e) => e.matched).map((e) => e.rule);
    const decisions = new Map((await this.loop.decide(matched, now, input.snapshot?.source)).map((d) => [d.rule, d]));
    const results = evaluations.map((e): SimulatedRule => {
      const base = {
        rule: e.rule.name,
        enabled: e.rule.enabled,
        priority: e.rule.priority,
        action: e.rule.action,
        requiresApproval: this.requiresApproval(e.rule),
        matched: e.matched,
      };
      if (e.error !== undefined) {
        return { ...base, decision: 'evaluation_error', reason: evaluationErrorDecision(e.rule, e.error).reason };
      }
      if (!e.matched) {
        return {
          ...base,
          decision: e.rule.enabled ? 'no_match' : 'disabled',
          reason: describeFailure(e.failedConditions, e.rule.enabled),
          failedConditions: e.failedConditions,
        };
      }
      const d = decisions.get(e.rule.name)!;
      const shown: SimulatedRule = e.rule.enabled
        ? { ...base, decision: d.decision, reason: d.reason }
        : { ...base, decision: 'disabled', ifEnabled: d.decision, reason: `rule is disabled; if enabled: ${d.reason}` };
      copyDecisionDetails(shown, d);
      if (input.snapshot) shown.matchedFacts = e.matchedFacts;
      return shown;
    });
    return { rulesVersion: ruleset.version, at: now.toISOString(), results };
  }

  /**
   * A person asks for a rule's action now. The rule counts as matched and goes through the same
   * decide and apply as an ingest: cooldown, approval gate and one-open-approval all still hold.
   */
  async trigger(ruleName: string, options: TriggerOptions): Promise<TriggerResult> {
    const ruleset = this.deps.rules.current();
    const rule = ruleset.byName.get(ruleName);
    if (!rule) throw new NotFoundError(`no rule named "${ruleName}"`);
    if (!rule.enabled) {
      throw new ConflictError(`rule "${ruleName}" is disabled; enable it before triggering it`, { rule: ruleName }, 'rule_disabled');
    }
    // One instant for the whole trigger: decided, dispatched and recorded at it.
    const now = this.deps.clock.now();
    const [decision] = await this.loop.decide([rule], now);
    const matchedFacts = { manualTrigger: { requestedBy: options.requestedBy, reason: options.reason ?? null } };
    const incidents = this.deps.incidents?.scope({ snapshotId: null, source: null, at: now });
    const outcome = await this.loop.apply(decision!, { rule, matchedFacts }, now, { snapshot: null, requestedBy: options.requestedBy, ...(incidents ? { incidents } : {}) });
    if (incidents) await recordIncidents(incidents, [outcome.decision], () => rule);
    const shown = pick(outcome.decision);
    this.observer.decided(shown.rule, shown.decision);
    const applied = options.waitForOutcome && outcome.running ? await this.finalOf(shown, outcome.running) : shown;
    return { rulesVersion: ruleset.version, requestedBy: options.requestedBy, decisions: [applied] };
  }

  /** Dispatches an action the service asks for itself (see SystemActionInput); the store's dispatch is the atomic step. */
  async dispatchSystemAction(input: SystemActionInput): Promise<SystemDispatch> {
    const { store, clock, config } = this.deps;
    const pause = await this.deps.pause.current();
    if (pause.paused) {
      return { dispatched: false, reason: 'paused', detail: `automation is paused${pause.by ? ` by ${pause.by}` : ''} (${pause.reason ?? 'no reason given'})` };
    }
    const now = clock.now();
    const { rule } = input;
    // Silenced like the rule's own dispatch would be (a revert or an escalation never is: they do not come here).
    const subject = subjectOf(rule, this.deps.budgets.targetOf(rule), input.snapshot?.source ?? null);
    const silence = silenceFor(await store.silences.silencesOverlapping(now, now), subject, now.getTime());
    if (silence) {
      this.observer.decided(rule.name, 'silenced');
      return { dispatched: false, reason: 'silenced', detail: `silenced by ${silence.id} until ${silence.until.toISOString()}` };
    }
    const pending = input.requiresApproval;
    const incident = input.incidentId && this.deps.incidents ? await this.deps.incidents.openById(input.incidentId) : null;
    const action: ActionRecord = {
      ...newAction({
        rule,
        status: pending ? 'pending_approval' : 'running',
        now,
        requestedBy: input.requestedBy,
        snapshot: null,
        matchedFacts: input.matchedFacts,
        expiresAt: pending ? approvalExpiry(now, config.approvals.timeoutMinutes) : null,
        runner: this.deps.instanceId,
        target: this.deps.budgets.targetOf(rule),
        verify: input.verify,
      }),
      id: input.id,
      snapshotId: input.snapshot?.id ?? null,
      snapshot: input.snapshot ? { source: input.snapshot.source, timestamp: input.snapshot.timestamp, metrics: input.snapshot.metrics } : null,
      ...(input.failbackOf ? { failbackOf: input.failbackOf } : {}),
      ...(incident ? { incidentId: incident.id } : {}),
    };
    const events = pending
      ? [
          buildEvent('action.pending_approval', now, {
            action,
            channels: rule.notifications.channels,
            data: approvalRequestData({ rule, action, matchedFacts: input.matchedFacts, publicUrl: config.notifications.publicUrl }),
          }),
        ]
      : [];
    const outcome = await store.dispatchAction(action, null, now, budgetClaimOf(rule, this.closedLoopSettings()) ?? undefined, events);
    if (!outcome.ok) {
      const refused = decisionForRefusal(rule.name, outcome);
      if (refused.decision === 'budget_exhausted') await this.deps.budgets.alertExhausted(refused, rule);
      return { dispatched: false, reason: outcome.reason, detail: refused.reason };
    }
    for (const event of events) this.deps.notifier.notify(event);
    const decision = pending ? 'require_approval' : 'execute';
    this.observer.decided(rule.name, decision);
    const running = pending ? null : this.deps.executor.run(action, rule);
    // An action taken on an incident opened before: a change, told as a dispatch on a later snapshot
    // is. The action stands whether or not the notice could be written.
    if (incident) {
      const incidents = this.deps.incidents!;
      await incidents
        .announceChange(incident, `action:${action.id}`, {
          event: 'actions_taken',
          actions: [{ rule: rule.name, actionId: action.id, decision, status: action.status }],
        })
        .catch((err: unknown) => incidents.failed(`could not tell incident ${incident.id} of action ${action.id}`, err));
    }
    return { dispatched: true, action, running };
  }
}

/** Records a snapshot's (or trigger's) decisions with their incidents; `ruleOf(i)` is the rule decisions[i] is about. */
async function recordIncidents(scope: IncidentScope, decisions: (RuleDecision & { status?: ActionRecord['status'] })[], ruleOf: (i: number) => Rule): Promise<void> {
  if (!decisions.some((d) => groupsIncident(d.decision))) return;
  const decided: DecidedRule[] = [];
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i]!;
    if (d.decision === 'evaluation_error') continue;
    const rule = ruleOf(i);
    const entry: DecidedRule = { rule, decision: d.decision, reason: d.reason };
    if (d.actionId) entry.actionId = d.actionId;
    if (d.status) entry.status = d.status;
    if (d.until) entry.until = d.until;
    if (d.target) entry.target = d.target;
    if (d.inhibitedBy) entry.inhibitedBy = d.inhibitedBy;
    decided.push(entry);
  }
  await scope.record(decided);
}

function pick(d: RuleDecision & { status?: ActionRecord['status'] }): AppliedDecision {
  // A decision `decide` shares (a cooldown) already has exactly a reply entry's keys, in order.
  if (isSharedDecision(d)) return d as AppliedDecision;
  return copyDecisionDetails<AppliedDecision>({ rule: d.rule, decision: d.decision, reason: d.reason }, d);
}

function describeFailure(failed: ConditionOutcome[], enabled: boolean): string {
  const prefix = enabled ? '' : 'rule is disabled; ';
  if (failed.length === 0) return `${prefix}conditions did not match`;
  const parts = failed.slice(0, 5).map((c) => {
    const fact = c.path ? `${c.fact}${c.path.slice(1)}` : c.fact;
    return `${fact} ${c.operator} ${JSON.stringify(c.value)} was false (value: ${c.factValue === undefined ? 'missing' : JSON.stringify(c.factValue)})`;
  });
  return `${prefix}${parts.join('; ')}`;
}
