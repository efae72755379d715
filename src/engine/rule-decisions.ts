import type { Decision, DecisionKind } from '../domain/decision';
import { type DecideInput, decide } from './decide';

/** What a rule's mode makes of a decision: an enforcing rule's as `decide` took it, a shadow rule's as `shadow`. */
export type RuleDecisionKind = DecisionKind | 'shadow';

export interface RuleDecision extends Omit<Decision, 'decision'> {
  decision: RuleDecisionKind;
  /** For `shadow`: what the rule would have decided if it enforced. */
  wouldDecide?: DecisionKind;
}

/** Shadow decisions that leave a record (and start the shadow rule's own cooldown). */
export function shadowActs(d: RuleDecision): boolean {
  return d.decision === 'shadow' && (d.wouldDecide === 'execute' || d.wouldDecide === 'require_approval');
}

/**
 * `decide`, then each rule's mode. A shadow rule is decided exactly like an enforcing one (its own
 * cooldown, the approval gate) so that `wouldDecide` is what promoting it would do; it never acts.
 * Ingest, simulate, replay and `self-healing rules test` all decide through here.
 */
export function decideRules(input: DecideInput): RuleDecision[] {
  const decisions = decide(input);
  return decisions.map((d, i): RuleDecision => {
    if (input.matched[i]?.mode !== 'shadow') return d;
    return { ...d, decision: 'shadow', wouldDecide: d.decision, reason: `shadow mode, would decide ${d.decision}: ${d.reason}` };
  });
}
