import type { Rule } from '../../domain/rule';
import { RuleInterpreter } from '../interpreter';
import { type CompiledConditions, compileConditions } from './condition-compiler';

export type EvaluationMode = 'compiled' | 'interpreted';

/** A rule ready to evaluate: compiled code, or json-rules-engine when the compiler leaves it alone. */
export type CompiledRule =
  | { rule: Rule; evaluation: 'compiled'; code: CompiledConditions }
  | { rule: Rule; evaluation: 'interpreted'; interpretedBecause: string; interpreter: RuleInterpreter };

export function compileRule(rule: Rule): CompiledRule {
  const compilation = compileConditions(rule.conditions);
  if (compilation.ok) return { rule, evaluation: 'compiled', code: compilation.compiled };
  return { rule, evaluation: 'interpreted', interpretedBecause: compilation.reason, interpreter: new RuleInterpreter(rule) };
}
