import type { InhibitedBy } from '../domain/decision';
import type { Rule } from '../domain/rule';

/**
 * An action of a rule with `inhibits` that holds others back at the instant decided: running,
 * awaiting approval, in its verification window, or within the rule's `whileMinutes` of its dispatch
 * (closed-loop/inhibition-window decides which). `actionId` is absent for a dispatch decided on
 * this same snapshot, before it has an id.
 */
export interface ActiveInhibitor {
  actionId?: string;
  /** The inhibiting rule as it stands (its `inhibits` says whom it holds back). */
  rule: Rule;
  /** The inhibiting action's target (budget target: `router`, `service:<name>`, …); null when it has none. */
  target: string | null;
  /** The source of the snapshot that dispatched it; null for a trigger or a failback. */
  source: string | null;
  /** Why it still inhibits, for the reason: `running`, `pending approval`, `verifying until …`, `dispatched at …`. */
  state: string;
  /** When it stops inhibiting, when known. */
  until?: string;
}

/** decide's view of inhibition: the active inhibitors and what it needs to match them to a rule. */
export interface InhibitionView {
  active: readonly ActiveInhibitor[];
  /** The target a rule's action acts on (for `sameTarget`). */
  targetOf: (rule: Rule) => string | null;
  /** The source of the snapshot decided; absent for a trigger (then `sameSource` never matches). */
  source?: string;
}

/** Whether `inhibitor` holds `rule` back: named or typed in its `inhibits`, on the same target or source when asked. */
export function inhibits(inhibitor: ActiveInhibitor, rule: Rule, view: InhibitionView): boolean {
  const spec = inhibitor.rule.inhibits;
  if (!spec || inhibitor.rule.name === rule.name) return false;
  if (!(spec.rules?.includes(rule.name) || spec.types?.includes(rule.action.type))) return false;
  if (spec.sameTarget) {
    const target = view.targetOf(rule);
    if (target === null || target !== inhibitor.target) return false;
  }
  if (spec.sameSource && (view.source === undefined || view.source !== inhibitor.source)) return false;
  return true;
}

/** The inhibitor `decide` names, or undefined when none holds the rule back. */
export function inhibitorOf(rule: Rule, active: readonly ActiveInhibitor[], view: InhibitionView): ActiveInhibitor | undefined {
  return active.find((i) => inhibits(i, rule, view));
}

export function inhibitedBy(inhibitor: ActiveInhibitor): InhibitedBy {
  return inhibitor.actionId === undefined ? { rule: inhibitor.rule.name } : { rule: inhibitor.rule.name, actionId: inhibitor.actionId };
}
