import { Engine, Rule as EngineRule } from 'json-rules-engine';
import type { Condition, Rule } from '../domain/rule';
import type { ProblemDetail } from '../errors';

export const MAX_CONDITION_DEPTH = 10;

// The engine's own operator table decides which operators (and decorators such as "not:") exist.
const operatorProbe = new Engine([], { allowUndefinedFacts: true });

/** Depth and operators of a rule's conditions, as the engine that evaluates them sees them. */
export function checkConditions(node: Condition, pointer: string, depth: number, problems: ProblemDetail[]): void {
  if (depth > MAX_CONDITION_DEPTH) {
    problems.push({ pointer, message: `conditions are nested deeper than ${MAX_CONDITION_DEPTH} levels` });
    return;
  }
  if ('all' in node) node.all.forEach((c, i) => checkConditions(c, `${pointer}/all/${i}`, depth + 1, problems));
  else if ('any' in node) node.any.forEach((c, i) => checkConditions(c, `${pointer}/any/${i}`, depth + 1, problems));
  else if ('not' in node) checkConditions(node.not, `${pointer}/not`, depth + 1, problems);
  else if (!(operatorProbe as unknown as { operators: { get(n: string): unknown } }).operators.get(node.operator)) {
    problems.push({ pointer: `${pointer}/operator`, message: `unknown operator "${node.operator}"` });
  }
}

/** Why json-rules-engine would refuse the rule's conditions, or null when it takes them. */
export function engineRefusal(rule: Rule): string | null {
  try {
    new EngineRule({ name: rule.name, priority: rule.priority, conditions: rule.conditions as never, event: { type: rule.name } });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
