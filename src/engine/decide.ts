import { isPausedAt, type PauseState } from '../domain/pause';
import type { ActionType, Rule } from '../domain/rule';
import type { RuleState } from '../domain/rule-state';

export const DECISION_KINDS = [
  'execute',
  'require_approval',
  'cooldown',
  'duplicate_pending',
  'budget_exhausted',
  'paused',
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface Decision {
  rule: string;
  decision: DecisionKind;
  reason: string;
  /** Cooldown end, for `cooldown`; when the budget frees a slot, for `budget_exhausted`; the pause's end, for `paused`. */
  until?: string;
  /** The target whose budget is spent, for `budget_exhausted`. */
  target?: string;
  /** The open approval, for `duplicate_pending`. */
  actionId?: string;
}

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
}

export interface BudgetView {
  windowMs: number;
  /** limits.perTarget.maxActions; a rule's maxActionsPerTarget overrides it. */
  defaultMax: number;
  targetOf: (rule: Rule) => string | null;
  usage: ReadonlyMap<string, readonly Date[]>;
}

/** When the target next has a free slot, or null when it has one now. */
function budgetSpentUntil(rule: Rule, budget: BudgetView, now: Date): { target: string; until: Date } | null {
  const target = budget.targetOf(rule);
  if (target === null) return null;
  const max = rule.maxActionsPerTarget ?? budget.defaultMax;
  const since = now.getTime() - budget.windowMs;
  const used = (budget.usage.get(target) ?? []).filter((at) => at.getTime() > since);
  if (used.length < max) return null;
  return { target, until: new Date(used[max - 1]!.getTime() + budget.windowMs) };
}

/** The approval flag in force: the rule's own, else the action type's default. */
export function approvalRequired(rule: Rule, defaults: ReadonlyMap<ActionType, boolean>): boolean {
  return rule.requiresApproval ?? defaults.get(rule.action.type) ?? false;
}

/**
 * What to do about each matched rule. Pure: no I/O, no clock of its own, no side effects — ingest
 * and simulate call exactly this, so a dry run cannot disagree with the real one.
 */
export function decide(input: DecideInput): Decision[] {
  return input.matched.map((rule): Decision => {
    const state = input.states.get(rule.name);
    if (state?.cooldownUntil && state.cooldownUntil.getTime() > input.now.getTime()) {
      return {
        rule: rule.name,
        decision: 'cooldown',
        until: state.cooldownUntil.toISOString(),
        reason: `in cooldown until ${state.cooldownUntil.toISOString()}`,
      };
    }
    const approval = input.requiresApproval(rule);
    if (approval && state?.openApprovalId) {
      return {
        rule: rule.name,
        decision: 'duplicate_pending',
        actionId: state.openApprovalId,
        reason: `an approval for this rule is already pending (${state.openApprovalId})`,
      };
    }
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
    const spent = input.budget ? budgetSpentUntil(rule, input.budget, input.now) : null;
    if (spent) {
      const max = rule.maxActionsPerTarget ?? input.budget!.defaultMax;
      return {
        rule: rule.name,
        decision: 'budget_exhausted',
        target: spent.target,
        until: spent.until.toISOString(),
        reason: `budget of target ${spent.target} is spent (${max} actions per ${input.budget!.windowMs / 60_000} min) until ${spent.until.toISOString()}`,
      };
    }
    if (approval) {
      return {
        rule: rule.name,
        decision: 'require_approval',
        reason: `${rule.action.type} needs approval before it runs`,
      };
    }
    return { rule: rule.name, decision: 'execute', reason: `runs ${rule.action.type} now` };
  });
}
