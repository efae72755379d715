import { Engine, Rule as EngineRule } from 'json-rules-engine';
import type { Condition, FactCondition, Rule, Severity, TopLevelCondition } from '../domain/rule';
import type { ProblemDetail } from '../errors';
import { SCHEMA_IDS, type SchemaRegistry } from '../schemas/registry';
import { jsonPathProblem } from './json-path-subset';
import type { RulesDocument } from './rules-document';

export const MAX_CONDITION_DEPTH = 10;
const DEFAULT_PRIORITY = 1;
const DEFAULT_SEVERITY: Severity = 'warning';
const DEFAULT_COOLDOWN_MINUTES = 15;
const DEFAULT_CHANNELS = ['log'];

export type RulesValidation = { ok: true; rules: Rule[] } | { ok: false; problems: ProblemDetail[] };

// The engine's own operator table decides which operators (and decorators such as "not:") exist.
const operatorProbe = new Engine([], { allowUndefinedFacts: true });

function checkConditions(node: Condition, pointer: string, depth: number, problems: ProblemDetail[]): void {
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

/** Fills in what the file may leave out, from the file's `defaults` and then the built-in ones. */
function normalize(raw: Record<string, unknown>, defaults: Record<string, unknown>): Rule {
  const rule: Rule = {
    name: raw.name as string,
    description: (raw.description as string | undefined) ?? '',
    enabled: (raw.enabled as boolean | undefined) ?? true,
    priority: (raw.priority as number | undefined) ?? (defaults.priority as number | undefined) ?? DEFAULT_PRIORITY,
    severity: (raw.severity as Severity | undefined) ?? (defaults.severity as Severity | undefined) ?? DEFAULT_SEVERITY,
    conditions: raw.conditions as TopLevelCondition,
    action: {
      type: (raw.action as Rule['action']).type,
      params: (raw.action as { params?: Record<string, unknown> }).params ?? {},
    },
    cooldownMinutes:
      (raw.cooldownMinutes as number | undefined) ??
      (defaults.cooldownMinutes as number | undefined) ??
      DEFAULT_COOLDOWN_MINUTES,
    notifications: (raw.notifications as Rule['notifications'] | undefined) ??
      (defaults.notifications as Rule['notifications'] | undefined) ?? { channels: [...DEFAULT_CHANNELS] },
  };
  if (typeof raw.requiresApproval === 'boolean') rule.requiresApproval = raw.requiresApproval;
  return rule;
}

/**
 * The whole-file check: JSON Schema first (shape, action types, params per type), then what a schema
 * cannot say (unique names, operators the engine knows, nesting depth, conditions the engine
 * accepts). Every problem is reported with a JSON pointer into the file.
 */
export function validateRulesDocument(schemas: SchemaRegistry, doc: unknown): RulesValidation {
  const shape = schemas.validate<RulesDocument>(SCHEMA_IDS.rulesFile, doc);
  const problems: ProblemDetail[] = shape.ok ? [] : [...shape.errors];
  const rawRules = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rawRules)) return { ok: false, problems };
  const defaults = shape.ok ? (shape.value.defaults ?? {}) : {};
  const firstSeen = new Map<string, number>();
  const rules: Rule[] = [];
  // Semantic checks run on every rule that is well-formed on its own, even when another part of
  // the file is not, so that one pass reports every problem.
  rawRules.forEach((raw: unknown, index) => {
    const pointer = `/rules/${index}`;
    const name = (raw as { name?: unknown } | null)?.name;
    if (typeof name === 'string') {
      const earlier = firstSeen.get(name);
      if (earlier !== undefined) {
        problems.push({ pointer: `${pointer}/name`, message: `duplicate rule name "${name}" (first at /rules/${earlier})` });
      } else {
        firstSeen.set(name, index);
      }
    }
    if (!shape.ok && !schemas.validate(SCHEMA_IDS.rule, raw).ok) return;
    const rule = normalize(raw as Record<string, unknown>, defaults);
    const before = problems.length;
    checkConditions(rule.conditions, `${pointer}/conditions`, 1, problems);
    if (problems.length === before) {
      try {
        new EngineRule({ name: rule.name, priority: rule.priority, conditions: rule.conditions as never, event: { type: rule.name } });
      } catch (err) {
        problems.push({ pointer: `${pointer}/conditions`, message: `json-rules-engine refuses these conditions: ${(err as Error).message}` });
      }
    }
    rules.push(rule);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}
