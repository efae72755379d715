import type { ActionStatus } from '../domain/action';
import { type Decision, dispatchedAction } from '../domain/decision';
import type { PauseState } from '../domain/pause';
import type { Rule } from '../domain/rule';
import type { Silence } from '../silences/silence';
import type { DispatchRefusal, RuleState } from '../domain/rule-state';
import { type BudgetView, decisionForRefusal, evaluationErrorDecision, type IncidentBudgetView } from '../engine/decide';
import type { ActiveInhibitor, InhibitionView } from '../engine/inhibition';
import type { EnabledEvaluation } from '../engine/enabled-evaluation';
import type { RuleEvaluation } from '../engine/evaluate';
import { decideRules, type RuleDecision } from '../engine/rule-decisions';
import type { CooldownMemory, KnownCooldown } from './cooldown-memory';
import { type DispatchRequest, dispatchRequest, dispatches } from './dispatch-rules';
import { couldBeInhibited, type InhibitingAction, inhibitingState, inhibitionLookbackMs } from './inhibition-window';
import type { ClosedLoopSettings } from './settings';

export type Dispatched = { ok: true; actionId: string; status: ActionStatus } | ({ ok: false } & DispatchRefusal);

/** How a run ended (the service's executor; always a success in a replay). */
export interface RunOutcome {
  status: ActionStatus;
  error?: string | null;
}

/** A matched rule with what it matched on (what the action keeps). */
export type Match = Pick<RuleEvaluation, 'rule' | 'matchedFacts'>;

/**
 * Where the closed loop keeps its state and does its work. The service's port is the store (and the
 * executor, the notifier, the pause switch); a replay's keeps everything in memory on a virtual
 * clock. `C` is what the caller passes along to the port with each dispatch (for the service: the
 * snapshot and who asked).
 */
export interface ClosedLoopPort<C> {
  /**
   * Cooldown ends the port knows exactly (closed-loop/cooldown-memory): a match in one still ahead
   * of `now` is decided `cooldown` with no read at all.
   */
  readonly cooldowns: CooldownMemory;
  /** decide's view of the rules' state at `now`: cooldown end and open approval. */
  ruleStates(rules: string[], now: Date): Promise<ReadonlyMap<string, RuleState>>;
  pause(now: Date): Promise<PauseState | null>;
  /** decide's view of the budgets of these rules' targets at `now`; undefined: no budgets. */
  budgetView(rules: Rule[], now: Date): Promise<BudgetView | undefined>;
  /** The actions of each of these rules dispatched at or after its `since` (decide's view of inhibition). */
  inhibitingActions(rules: { rule: string; since: Date }[], now: Date): Promise<InhibitingAction[]>;
  /** The silences that may be in force at `now` (the store's history in a replay); decide checks schedules and matchers. */
  silences(now: Date): Promise<readonly Silence[]>;
  /**
   * The atomic step: refuse when the rule's cooldown runs past `now`, (for an approval) one is open,
   * or the target's budget is spent; else record the action, move the cooldown, claim the slot.
   */
  dispatch(request: DispatchRequest, match: Match, context: C): Promise<Dispatched>;
  /** Per group key with an open incident: its id and its number of actions (limits.perIncident); absent: no incidents. */
  incidentUsage?(keys: string[]): Promise<ReadonlyMap<string, { incidentId: string; count: number }>>;
  /**
   * A rule matched while its budget is spent: a promise only while there is work to wait for (the
   * window's alert, which joins the incident the decision joins).
   */
  budgetExhausted(decision: Decision, rule: Rule, now: Date, context: C): Promise<void> | undefined;
  /** Runs an action dispatched as running. */
  run(request: DispatchRequest, actionId: string, context: C): Promise<RunOutcome>;
  /** An approval was asked for (people decide later in the service; a replay's policy decides at once). */
  approvalRequested(request: DispatchRequest, actionId: string, context: C): Promise<void>;
}

/** A decision as applied: the decision (or the refusal it became), the action it dispatched and its run. */
export interface Applied {
  decision: RuleDecision & { status?: ActionStatus };
  running?: Promise<RunOutcome>;
}

/**
 * The pipeline after evaluate, once for the service and replay: decide each matched rule against the
 * port's state at the snapshot's instant, then dispatch what dispatches, turning a refusal into the
 * decision a sequential run would have taken. Nothing here reads a clock: `now` is the instant the
 * snapshot was stamped with.
 */
export class ClosedLoop<C> {
  constructor(
    private readonly port: ClosedLoopPort<C>,
    private readonly settings: ClosedLoopSettings,
    private readonly requiresApproval: (rule: Rule) => boolean,
    /** The rules in force that have `inhibits` (closed-loop/inhibition-window's inhibitingRulesOf). */
    private readonly inhibitingRules: () => readonly Rule[] = () => [],
  ) {}

  /**
   * The decisions for these matched rules at `now` (ingest, trigger and simulate all decide here);
   * `source` is the snapshot's (none for a trigger), which `sameSource` inhibition and silences compare.
   */
  async decide(rules: Rule[], now: Date, source?: string): Promise<RuleDecision[]> {
    const at = now.getTime();
    const decisions: RuleDecision[] = new Array<RuleDecision>(rules.length);
    const rest: number[] = [];
    for (let i = 0; i < rules.length; i++) {
      const known = this.knownCooldown(rules[i]!, at);
      if (known) decisions[i] = known.decision;
      else rest.push(i);
    }
    if (rest.length === 0) return decisions;
    const read = await this.decideByReading(rest.map((i) => rules[i]!), now, source);
    rest.forEach((i, k) => (decisions[i] = read[k]!));
    return decisions;
  }

  /**
   * A match whose cooldown end the port knows is decided `cooldown` whatever else holds, and a
   * shadow rule's is `shadow` of it, which is made anew: only an enforcing rule's is taken as known.
   */
  private knownCooldown(rule: Rule, at: number): KnownCooldown | undefined {
    return rule.mode === 'shadow' ? undefined : this.port.cooldowns.at(rule.name, at);
  }

  /** decide over rules none of which has a cooldown the port knows: their states are read. */
  private async decideByReading(rules: Rule[], now: Date, source: string | undefined): Promise<RuleDecision[]> {
    const states = await this.port.ruleStates(rules.map((r) => r.name), now);
    // A rule in cooldown is decided `cooldown` whatever the pause, silences or budgets say: during a
    // storm of matching snapshots those reads are made only for the rules that could act.
    const open = rules.filter((r) => !((states.get(r.name)?.cooldownUntil?.getTime() ?? 0) > now.getTime()));
    if (open.length === 0) return decideRules({ matched: rules, states, now, requiresApproval: this.requiresApproval });
    const [pause, budget, inhibition, silences, incidentBudget] = await Promise.all([
      this.port.pause(now),
      this.port.budgetView(open, now),
      this.inhibitionView(open, now, source),
      this.port.silences(now),
      this.incidentBudgetView(open, source),
    ]);
    const silenced = silences.length === 0 ? undefined : { silences, source: source ?? null, targetOf: this.settings.targetOf };
    return decideRules({ matched: rules, states, now, requiresApproval: this.requiresApproval, pause, budget, inhibition, silences: silenced, incidentBudget });
  }

  /** decide's view of limits.perIncident: the open incidents of the groups the rules that could act would join. */
  private async incidentBudgetView(open: Rule[], source: string | undefined): Promise<IncidentBudgetView | undefined> {
    const perIncident = this.settings.perIncident;
    if (!perIncident || !this.port.incidentUsage) return undefined;
    const keyOf = (rule: Rule) => perIncident.keyOf(rule, source ?? null);
    const used = await this.port.incidentUsage([...new Set(open.map(keyOf))]);
    return { maxActions: perIncident.maxActions, keyOf, used };
  }

  /** decide's view of inhibition, read only when an inhibiting rule names one of the rules that could act. */
  private async inhibitionView(open: Rule[], now: Date, source: string | undefined): Promise<InhibitionView | undefined> {
    const inhibiting = this.inhibitingRules();
    if (inhibiting.length === 0 || !open.some((r) => couldBeInhibited(r, inhibiting))) return undefined;
    const byName = new Map(inhibiting.map((r) => [r.name, r]));
    const actions = await this.port.inhibitingActions(
      inhibiting.map((r) => ({ rule: r.name, since: new Date(now.getTime() - inhibitionLookbackMs(r, this.settings)) })),
      now,
    );
    const active: ActiveInhibitor[] = [];
    for (const a of actions) {
      const rule = byName.get(a.rule);
      const state = rule ? inhibitingState(a, rule, now) : null;
      if (rule && state) active.push({ actionId: a.id, rule, target: a.target, source: a.source, ...state });
    }
    const view: InhibitionView = { active, targetOf: this.settings.targetOf };
    if (source !== undefined) view.source = source;
    return view;
  }

  /**
   * Decides the matched rules of one snapshot and applies the decisions in priority order; a rule
   * that threw is reported as evaluation_error in its place and the others go on as usual.
   */
  async decideAndApply(evaluated: EnabledEvaluation, now: Date, context: C, source?: string): Promise<Applied[]> {
    // Matches in a known cooldown are applied as they are (nothing to write: no await, and no
    // object: they are found by position); only the others are decided by reading the port's state.
    const at = now.getTime();
    const { ends, applied: knownApplied } = this.port.cooldowns.ofOrder(evaluated.order);
    const { positions, length } = evaluated;
    // A storm's steady state first: when every match is in a known cooldown, those are all the decisions.
    if (evaluated.errors === null) {
      const knownOnly = new Array<Applied>(length);
      let k = 0;
      for (; k < length; k++) {
        const position = positions[k]!;
        if (!(ends[position]! > at)) break;
        knownOnly[k] = knownApplied[position]!;
      }
      if (k === length) return knownOnly;
    }
    const known: (Applied | undefined)[] = new Array<Applied | undefined>(length);
    const matches: number[] = [];
    for (let k = 0; k < length; k++) {
      if (evaluated.error(k) !== undefined) continue;
      const position = positions[k]!;
      if (ends[position]! > at) known[k] = knownApplied[position]!;
      else matches.push(k);
    }
    const decided = new Map<number, RuleDecision>();
    if (matches.length > 0) (await this.decideByReading(matches.map((k) => evaluated.rule(k)), now, source)).forEach((d, i) => decided.set(matches[i]!, d));
    const applied: Applied[] = [];
    /** Actions dispatched on this snapshot, by rule: an inhibitor decided here gets its id once it has one. */
    const dispatchedHere = new Map<string, string>();
    for (let k = 0; k < length; k++) {
      const cooling = known[k];
      if (cooling !== undefined) {
        applied.push(cooling);
        continue;
      }
      const rule = evaluated.rule(k);
      const error = evaluated.error(k);
      if (error !== undefined) {
        applied.push({ decision: evaluationErrorDecision(rule, error) });
        continue;
      }
      let decision = decided.get(k)!;
      if (decision.inhibitedBy && decision.inhibitedBy.actionId === undefined && dispatchedHere.has(decision.inhibitedBy.rule)) {
        const actionId = dispatchedHere.get(decision.inhibitedBy.rule)!;
        decision = { ...decision, inhibitedBy: { rule: decision.inhibitedBy.rule, actionId } };
      }
      // Cooldown, a pending duplicate, paused, silenced: nothing to write, so no await either (a storm of
      // snapshots matching rules in cooldown decides dozens of these per snapshot). A spent budget
      // raises its window's alert once; after that the port has nothing to await for it either.
      let result: Applied;
      if (dispatches(decision)) result = await this.apply(decision, evaluated.evaluation(k), now, context);
      else {
        const alerting = decision.decision === 'budget_exhausted' ? this.port.budgetExhausted(decision as Decision, rule, now, context) : undefined;
        if (alerting) await alerting;
        result = { decision };
      }
      if (rule.inhibits && dispatchedAction(result.decision)) dispatchedHere.set(rule.name, result.decision.actionId!);
      applied.push(result);
    }
    return applied;
  }

  /** Applies one decision at `now`: the budget alert of a spent target, or a dispatch through the port. */
  async apply(decision: RuleDecision, match: Match, now: Date, context: C): Promise<Applied> {
    const rule = match.rule;
    if (decision.decision === 'budget_exhausted') {
      await this.port.budgetExhausted(decision as Decision, rule, now, context);
      return { decision };
    }
    if (!dispatches(decision)) return { decision };
    const request = dispatchRequest(decision, rule, now, this.settings);
    const outcome = await this.port.dispatch(request, match, context);
    if (!outcome.ok) {
      if (request.status === 'shadowed') return { decision: shadowRefused(rule.name, outcome, now) };
      const raced = decisionForRefusal(rule.name, outcome);
      if (raced.decision === 'budget_exhausted') await this.port.budgetExhausted(raced, rule, now, context);
      return { decision: raced };
    }
    const applied: Applied = { decision: { ...decision, actionId: outcome.actionId, status: outcome.status } };
    if (request.status === 'running') applied.running = this.port.run(request, outcome.actionId, context);
    else if (request.status === 'pending_approval') await this.port.approvalRequested(request, outcome.actionId, context);
    return applied;
  }
}

/** A shadow record refused: another dispatch left the rule's cooldown (a shadow record is never an open approval). */
function shadowRefused(rule: string, refusal: DispatchRefusal, now: Date): RuleDecision {
  const cooldown = decisionForRefusal(rule, { reason: 'cooldown', until: refusal.reason === 'cooldown' ? refusal.until : now });
  return { ...cooldown, decision: 'shadow', wouldDecide: 'cooldown', reason: `shadow mode, would decide cooldown: ${cooldown.reason}` };
}
