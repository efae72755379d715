import { isPausedAt, type PauseState } from '../domain/pause';
import type { ActionType, Rule } from '../domain/rule';
import type { Decision } from '../domain/decision';
import type { DispatchRefusal, RuleState } from '../domain/rule-state';
import { budgetSpentUntil } from '../domain/budget-slot';
import { type ActiveInhibitor, type InhibitionView, inhibitedBy, inhibitorOf } from './inhibition';
import { inForceAt, matchingSilence, type SilenceHit } from '../silences/in-force';
import { subjectOf } from '../silences/matchers';
import type { Silence } from '../silences/silence';

export interface DecideInput {
  /** Matched, enabled rules in priority order. */
  matched: Rule[];
  states: ReadonlyMap<string, RuleState>;
  now: Date;
  requiresApproval: (rule: Rule) => boolean;
  /** The pause switch as stored; paused when on and its `until` is still ahead of `now`. */
  pause?: PauseState | null;
  /** Per-target budgets: the claims in the window per target (newest first) and the limits. */
  budget?: BudgetView;
  /** limits.perIncident: the actions of each group's open incident; absent: no per-incident budget. */
  incidentBudget?: IncidentBudgetView;
  /** Actions of rules with `inhibits` active at `now`; absent: no rule inhibits (or none could act). */
  inhibition?: InhibitionView;
  /** The silences that may be in force at `now`, and what a rule is matched against besides itself. */
  silences?: SilencesView;
}

export interface SilencesView {
  silences: readonly Silence[];
  /** The snapshot's source; null when there is none (a trigger, simulate by rule name). */
  source: string | null;
  targetOf: (rule: Rule) => string | null;
}

/** The view with only the silences in force at `now` (once per snapshot: a schedule reads the zone's clock); undefined when none is. */
function inForceNow(view: SilencesView, now: Date): SilencesView | undefined {
  const inForce = view.silences.filter((s) => inForceAt(s, now.getTime()));
  return inForce.length === 0 ? undefined : { ...view, silences: inForce };
}

/** The silence holding `rule` back, among those in force. */
function silenceOf(rule: Rule, view: SilencesView, now: Date): SilenceHit | null {
  return matchingSilence(view.silences, subjectOf(rule, view.targetOf(rule), view.source), now.getTime());
}

export interface IncidentBudgetView {
  maxActions: number;
  /** The group key of the incident a dispatch of `rule` on this snapshot joins. */
  keyOf: (rule: Rule) => string;
  /** Per group key with an open incident: its id and how many actions it has. */
  used: ReadonlyMap<string, { incidentId: string; count: number }>;
}

export interface BudgetView {
  windowMs: number;
  /** limits.perTarget.maxActions; a rule's maxActionsPerTarget overrides it. */
  defaultMax: number;
  targetOf: (rule: Rule) => string | null;
  usage: ReadonlyMap<string, readonly Date[]>;
}

/** When the target next has a free slot, or null when it has one now (the budget-slot rule of domain/budget-slot). */
function budgetSpentFor(rule: Rule, budget: BudgetView, now: Date): { target: string; until: Date } | null {
  const target = budget.targetOf(rule);
  if (target === null) return null;
  const max = rule.maxActionsPerTarget ?? budget.defaultMax;
  const claims = (budget.usage.get(target) ?? []).map((at) => at.getTime());
  const until = budgetSpentUntil(claims, now.getTime(), budget.windowMs, max);
  return until === null ? null : { target, until: new Date(until) };
}

/** The approval flag in force: the rule's own, else the action type's default. */
export function approvalRequired(rule: Rule, defaults: ReadonlyMap<ActionType, boolean>): boolean {
  return rule.requiresApproval ?? defaults.get(rule.action.type) ?? false;
}

/** A rule that threw while being evaluated against this snapshot: nothing is done about it. */
export function evaluationErrorDecision(rule: Rule, message: string): Decision {
  return { rule: rule.name, decision: 'evaluation_error', reason: `rule could not be evaluated: ${message}` };
}

/**
 * What to do about each matched rule. Pure: no I/O, no clock of its own, no side effects — ingest
 * and simulate call exactly this, so a dry run cannot disagree with the real one.
 */
export function decide(input: DecideInput): Decision[] {
  // A dispatch decided here inhibits the lower-priority rules after it, as a sequential run would.
  const inhibition = input.inhibition;
  const active: ActiveInhibitor[] | undefined = inhibition ? [...inhibition.active] : undefined;
  const silences = input.silences ? inForceNow(input.silences, input.now) : undefined;
  // Dispatches decided here count against their incident's budget for the rules after them.
  const addedToIncident = input.incidentBudget ? new Map<string, number>() : undefined;
  return input.matched.map((rule): Decision => {
    const decision = decideOne(rule, input, active, silences, addedToIncident);
    const dispatched = rule.mode === 'enforce' && (decision.decision === 'execute' || decision.decision === 'require_approval');
    if (dispatched && active && rule.inhibits) {
      active.push({ rule, target: inhibition!.targetOf(rule), source: inhibition!.source ?? null, state: 'dispatched on this snapshot' });
    }
    if (dispatched && addedToIncident) {
      const key = input.incidentBudget!.keyOf(rule);
      addedToIncident.set(key, (addedToIncident.get(key) ?? 0) + 1);
    }
    return decision;
  });
}

/** The per-incident budget's decision when the incident this rule's dispatch joins has used it up. */
function incidentBudgetSpent(rule: Rule, budget: IncidentBudgetView, added: ReadonlyMap<string, number>): Decision | null {
  const key = budget.keyOf(rule);
  const used = budget.used.get(key);
  if ((used?.count ?? 0) + (added.get(key) ?? 0) < budget.maxActions) return null;
  const spent: Decision = {
    rule: rule.name,
    decision: 'budget_exhausted',
    reason: `budget of incident ${used ? used.incidentId : 'opened on this snapshot'} is spent (${budget.maxActions} actions per incident)`,
  };
  if (used) spent.incidentId = used.incidentId;
  return spent;
}

function decideOne(
  rule: Rule,
  input: DecideInput,
  active: readonly ActiveInhibitor[] | undefined,
  silences: SilencesView | undefined,
  addedToIncident: ReadonlyMap<string, number> | undefined,
): Decision {
  const state = input.states.get(rule.name);
  if (state?.cooldownUntil && state.cooldownUntil.getTime() > input.now.getTime()) {
    return cooldownDecision(rule.name, state.cooldownUntil);
  }
  const approval = input.requiresApproval(rule);
  if (approval && state?.openApprovalId) return approvalPending(rule.name, state.openApprovalId);
  const pause = input.pause;
  if (pause && isPausedAt(pause, input.now)) {
    const paused: Decision = {
      rule: rule.name,
      decision: 'paused',
      reason: `automation is paused${pause.by ? ` by ${pause.by}` : ''}${pause.until ? ` until ${pause.until}` : ''}: ${pause.reason ?? 'no reason given'}; would have ${approval ? 'asked for approval' : `run ${rule.action.type}`}`,
    };
    if (pause.until) paused.until = pause.until;
    return paused;
  }
  const silence = silences ? silenceOf(rule, silences, input.now) : null;
  if (silence) {
    const until = isoAt(silence.until);
    return {
      rule: rule.name,
      decision: 'silenced',
      silenceId: silence.id,
      until,
      reason: `silenced by ${silence.id} until ${until}; would have ${approval ? 'asked for approval' : `run ${rule.action.type}`}`,
    };
  }
  const inhibitor = active && active.length > 0 ? inhibitorOf(rule, active, input.inhibition!) : undefined;
  if (inhibitor) {
    const by = inhibitedBy(inhibitor);
    const inhibited: Decision = {
      rule: rule.name,
      decision: 'inhibited',
      inhibitedBy: by,
      reason: `inhibited by rule ${by.rule} (${by.actionId ? `action ${by.actionId}, ` : ''}${inhibitor.state}); would have ${approval ? 'asked for approval' : `run ${rule.action.type}`}`,
    };
    if (inhibitor.until) inhibited.until = inhibitor.until;
    return inhibited;
  }
  const incidentSpent = input.incidentBudget ? incidentBudgetSpent(rule, input.incidentBudget, addedToIncident!) : null;
  if (incidentSpent) return incidentSpent;
  const spent = input.budget ? budgetSpentFor(rule, input.budget, input.now) : null;
  if (spent) {
    const max = rule.maxActionsPerTarget ?? input.budget!.defaultMax;
    return budgetSpent(rule.name, spent.target, spent.until, `${max} actions per ${input.budget!.windowMs / 60_000} min`);
  }
  if (approval) {
    return { rule: rule.name, decision: 'require_approval', reason: `${rule.action.type} needs approval before it runs` };
  }
  return { rule: rule.name, decision: 'execute', reason: `runs ${rule.action.type} now` };
}

/**
 * The decision a refused dispatch stands for: another dispatch (snapshot, person or instance) got
 * there first, and its cooldown or open approval is what a sequential run would have decided on.
 */
export function decisionForRefusal(rule: string, refusal: DispatchRefusal): Decision {
  if (refusal.reason === 'cooldown') return cooldownDecision(rule, refusal.until);
  if (refusal.reason === 'budget_exhausted') return budgetSpent(rule, refusal.target, refusal.until, 'claimed meanwhile');
  return approvalPending(rule, refusal.actionId);
}

/**
 * ISO strings of the instants decisions name, by time value. Many matched rules share a few
 * cooldown ends from one snapshot to the next, and formatting a date was a quarter of deciding 50
 * matches; the cache is dropped whole when it grows, which keeps it small and exact.
 */
const isoStrings = new Map<number, string>();
const ISO_CACHE_LIMIT = 10_000;

function isoAt(date: Date): string {
  const t = date.getTime();
  let iso = isoStrings.get(t);
  if (iso === undefined) {
    if (isoStrings.size >= ISO_CACHE_LIMIT) isoStrings.clear();
    iso = date.toISOString();
    isoStrings.set(t, iso);
  }
  return iso;
}

/** Marks a shared decision: a property read, where a WeakSet lookup cost as much as deciding (non-enumerable: not in its JSON). */
const SHARED = Symbol('shared decision');
const SHARED_CACHE_LIMIT = 100_000;

/** Per rule, the shared decision last made of one kind and what it was made for. */
type SharedDecisions = Map<string, { key: string | number; decision: Decision }>;

/**
 * The rule's shared decision for `key`, made by `make` only when the key changed: frozen, marked
 * shared, its keys in the order of an ingest reply's entries (rule, decision, reason, then
 * copyDecisionDetails' order), so it is answered as it is and its JSON can be kept (see
 * pipeline/ingest-reply). The cache is dropped whole when it grows, which keeps it small and exact.
 */
function sharedDecision(cache: SharedDecisions, rule: string, key: string | number, make: () => Decision): Decision {
  const known = cache.get(rule);
  if (known !== undefined && known.key === key) return known.decision;
  const decision: Decision = Object.freeze(Object.defineProperty(make(), SHARED, { value: true }));
  if (cache.size >= SHARED_CACHE_LIMIT) cache.clear();
  cache.set(rule, { key, decision });
  return decision;
}

/**
 * The spent-budget decision per rule for its target, end and limit: a storm held by spent budgets
 * decides the same rules the same way on every snapshot.
 */
const budgetDecisions: SharedDecisions = new Map();

function budgetSpent(rule: string, target: string, until: Date, limit: string): Decision {
  return sharedDecision(budgetDecisions, rule, `${target}\n${until.getTime()}\n${limit}`, () => {
    const iso = isoAt(until);
    return { rule, decision: 'budget_exhausted', reason: `budget of target ${target} is spent (${limit}) until ${iso}`, until: iso, target };
  });
}

/**
 * The cooldown decision per rule for its current cooldown end: in a storm every matching snapshot
 * decides the same hundreds of rules `cooldown` until the same instants.
 */
const cooldownDecisions: SharedDecisions = new Map();

export function cooldownDecision(rule: string, until: Date): Decision {
  return sharedDecision(cooldownDecisions, rule, until.getTime(), () => {
    const iso = isoAt(until);
    return { rule, decision: 'cooldown', reason: `in cooldown until ${iso}`, until: iso };
  });
}

/** Whether a decision is one `decide` shares between snapshots (frozen, keys in reply order): it can be answered as it is. */
export function isSharedDecision(d: object): boolean {
  return (d as { [SHARED]?: true })[SHARED] === true;
}

function approvalPending(rule: string, actionId: string): Decision {
  return { rule, decision: 'duplicate_pending', actionId, reason: `an approval for this rule is already pending (${actionId})` };
}
