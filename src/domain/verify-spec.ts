import type { VerifySpec } from './action';
import type { ActionType, Rule } from './rule';

/** Per action type, the verification of a rule that says nothing (config verify.defaults); false: none. */
export type VerifyDefaults = Readonly<Record<ActionType, VerifySpec | false>>;

/** The verification in force for a rule: its own `verify`, else the action type's default; null: none. */
export function verifySpecOf(rule: Rule, defaults: VerifyDefaults): VerifySpec | null {
  const spec = rule.verify ?? defaults[rule.action.type];
  if (spec === false) return null;
  const copy: VerifySpec = { windowMinutes: spec.windowMinutes, onIneffective: spec.onIneffective };
  if (spec.prometheus) copy.prometheus = { ...spec.prometheus };
  return copy;
}
