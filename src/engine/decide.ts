import type { ActionType, Rule } from '../domain/rule';
import type { Decision } from '../domain/decision';
import type { DispatchRefusal, RuleState } from '../domain/rule-state';

export interface DecideInput {
  /** Matched, enabled rules in priority order. */
  matched: Rule[];
  states: ReadonlyMap<string, RuleState>;
  now: Date;
  requiresApproval: (rule: Rule) => boolean;
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
  return input.matched.map((rule): Decision => {
    const state = input.states.get(rule.name);
    if (state?.cooldownUntil && state.cooldownUntil.getTime() > input.now.getTime()) {
      return inCooldown(rule.name, state.cooldownUntil);
    }
    if (input.requiresApproval(rule)) {
      if (state?.openApprovalId) return approvalPending(rule.name, state.openApprovalId);
      return { rule: rule.name, decision: 'require_approval', reason: `${rule.action.type} needs approval before it runs` };
    }
    return { rule: rule.name, decision: 'execute', reason: `runs ${rule.action.type} now` };
  });
}

/**
 * The decision a refused dispatch stands for: another dispatch (snapshot, person or instance) got
 * there first, and its cooldown or open approval is what a sequential run would have decided on.
 */
export function decisionForRefusal(rule: string, refusal: DispatchRefusal): Decision {
  return refusal.reason === 'cooldown' ? inCooldown(rule, refusal.until) : approvalPending(rule, refusal.actionId);
}

function inCooldown(rule: string, until: Date): Decision {
  return { rule, decision: 'cooldown', until: until.toISOString(), reason: `in cooldown until ${until.toISOString()}` };
}

function approvalPending(rule: string, actionId: string): Decision {
  return { rule, decision: 'duplicate_pending', actionId, reason: `an approval for this rule is already pending (${actionId})` };
}
