import type { Rule } from '../domain/rule';
import type { ProblemDetail } from '../errors';

/** Whether `by`'s `inhibits` names `rule`, by name or by action type (a rule never inhibits itself). */
function holdsBack(by: Rule, rule: Rule): boolean {
  const spec = by.inhibits;
  if (!spec || by.name === rule.name) return false;
  return spec.rules?.includes(rule.name) === true || spec.types?.includes(rule.action.type) === true;
}

/**
 * What the schema cannot say about `inhibits`: every rule it names exists, and no rules hold each
 * other back in a cycle (a and b each inhibiting the other would leave whichever acted second
 * never acting, decided by priority alone; the file must say which one wins).
 */
export function checkInhibition(rules: readonly Rule[], pointerOf: (rule: Rule) => string, problems: ProblemDetail[]): void {
  const names = new Set(rules.map((r) => r.name));
  for (const rule of rules) {
    rule.inhibits?.rules?.forEach((name, i) => {
      if (!names.has(name)) problems.push({ pointer: `${pointerOf(rule)}/inhibits/rules/${i}`, message: `inhibits an unknown rule "${name}"` });
    });
  }
  const inhibiting = rules.filter((r) => r.inhibits);
  if (inhibiting.length === 0) return;
  // Depth-first search over "inhibits" edges; only inhibiting rules can be on a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const path: Rule[] = [];
  const reported = new Set<string>();
  const visit = (rule: Rule): void => {
    state.set(rule.name, 'open');
    path.push(rule);
    for (const next of inhibiting) {
      if (!holdsBack(rule, next)) continue;
      if (state.get(next.name) === 'open') {
        const cycle = [...path.slice(path.indexOf(next)).map((r) => r.name), next.name];
        const key = [...cycle.slice(0, -1)].sort().join('\n');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({ pointer: `${pointerOf(rule)}/inhibits`, message: `inhibition cycle: ${cycle.join(' → ')} (rules must not inhibit each other in a circle)` });
        }
      } else if (!state.has(next.name)) visit(next);
    }
    path.pop();
    state.set(rule.name, 'done');
  };
  for (const rule of inhibiting) if (!state.has(rule.name)) visit(rule);
}
