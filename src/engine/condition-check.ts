import { Engine, Rule as EngineRule } from 'json-rules-engine';
import type { Condition, FactCondition, Rule } from '../domain/rule';
import type { ProblemDetail } from '../errors';
import { jsonPathProblem } from './json-path-subset';

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
  else {
    if (!(operatorProbe as unknown as { operators: { get(n: string): unknown } }).operators.get(node.operator)) {
      problems.push({ pointer: `${pointer}/operator`, message: `unknown operator "${node.operator}"` });
    }
    checkPaths(node, pointer, problems);
  }
}

/** Paths are evaluated against snapshot data, in the condition and in a value that refers to a fact. */
function checkPaths(node: FactCondition, pointer: string, problems: ProblemDetail[]): void {
  if (typeof node.path === 'string') {
    const problem = jsonPathProblem(node.path);
    if (problem) problems.push({ pointer: `${pointer}/path`, message: problem });
  }
  const value = node.value;
  if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, 'fact')) return;
  const refPath = (value as { path?: unknown }).path;
  if (refPath === undefined) return;
  const problem = typeof refPath === 'string' ? jsonPathProblem(refPath) : 'must be a string';
  if (problem) problems.push({ pointer: `${pointer}/value/path`, message: problem });
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
