import type { ActionType, Rule } from '../domain/rule';
import type { RuleState } from '../store/store';

export const DECISION_KINDS = ['execute', 'require_approval', 'cooldown', 'duplicate_pending', 'evaluation_error'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export interface Decision {
  rule: string;
  decision: DecisionKind;
  reason: string;
  /** Cooldown end, for `cooldown`. */
  until?: string;
  /** The open approval, for `duplicate_pending`. */
  actionId?: string;
}

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
      return {
        rule: rule.name,
        decision: 'cooldown',
        until: state.cooldownUntil.toISOString(),
        reason: `in cooldown until ${state.cooldownUntil.toISOString()}`,
      };
    }
    if (input.requiresApproval(rule)) {
      if (state?.openApprovalId) {
        return {
          rule: rule.name,
          decision: 'duplicate_pending',
          actionId: state.openApprovalId,
          reason: `an approval for this rule is already pending (${state.openApprovalId})`,
        };
      }
      return {
        rule: rule.name,
        decision: 'require_approval',
        reason: `${rule.action.type} needs approval before it runs`,
      };
    }
    return { rule: rule.name, decision: 'execute', reason: `runs ${rule.action.type} now` };
  });
}
