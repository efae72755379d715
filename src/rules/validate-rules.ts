import type { Rule, RuleMode, Severity, TopLevelCondition } from '../domain/rule';
import { checkConditions, engineRefusal } from '../engine/condition-check';
import type { ProblemDetail } from '../errors';
import { SCHEMA_IDS, type SchemaRegistry } from '../schemas/registry';
import { checkInhibition } from './inhibition-checks';
import type { RulesDocument } from './rules-document';

const DEFAULT_PRIORITY = 1;
const DEFAULT_SEVERITY: Severity = 'warning';
const DEFAULT_COOLDOWN_MINUTES = 15;
const DEFAULT_CHANNELS = ['log'];

export type RulesValidation = { ok: true; rules: Rule[] } | { ok: false; problems: ProblemDetail[] };


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
    mode: (raw.mode as RuleMode | undefined) ?? 'enforce',
  };
  if (typeof raw.requiresApproval === 'boolean') rule.requiresApproval = raw.requiresApproval;
  if (raw.verify !== undefined) rule.verify = raw.verify as Rule['verify'];
  if (typeof raw.maxActionsPerTarget === 'number') rule.maxActionsPerTarget = raw.maxActionsPerTarget;
  if (raw.inhibits !== undefined) rule.inhibits = raw.inhibits as Rule['inhibits'];
  return rule;
}

/** A throttle's restore steps go up: each above the one before, and above the throttle's own factor. */
function checkRestoreSteps(rule: Rule, pointer: string, problems: ProblemDetail[]): void {
  if (rule.action.type !== 'throttle') return;
  const steps = (rule.action.params.restore as { steps?: unknown } | undefined)?.steps;
  if (!Array.isArray(steps)) return;
  const factor = rule.action.params.factor;
  steps.forEach((step: unknown, i) => {
    if (typeof step !== 'number') return;
    if (i > 0 && typeof steps[i - 1] === 'number' && step <= (steps[i - 1] as number)) {
      problems.push({ pointer: `${pointer}/${i}`, message: `steps must go up: ${step} is not above ${steps[i - 1] as number}` });
    }
    if (i === 0 && typeof factor === 'number' && step <= factor) {
      problems.push({ pointer: `${pointer}/0`, message: `the first step must be above the throttle's factor ${factor}` });
    }
  });
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
  const indexOf = new Map<Rule, number>();
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
      const refusal = engineRefusal(rule);
      if (refusal) problems.push({ pointer: `${pointer}/conditions`, message: `json-rules-engine refuses these conditions: ${refusal}` });
    }
    checkRestoreSteps(rule, `${pointer}/action/params/restore/steps`, problems);
    rules.push(rule);
    indexOf.set(rule, index);
  });
  checkInhibition(rules, (rule) => `/rules/${indexOf.get(rule)}`, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules };
}
