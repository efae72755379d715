import type { PrometheusCheck } from './action';
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ACTION_TYPES = [
  'model_failover',
  'prompt_rollback',
  'service_restart',
  'throttle',
  'alert_only',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** `shadow`: the rule is decided on every snapshot but never acts (docs/rules.md, "Shadow mode"). */
export const RULE_MODES = ['enforce', 'shadow'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** A leaf condition in json-rules-engine's format. */
export interface FactCondition {
  fact: string;
  operator: string;
  value: unknown;
  path?: string;
  params?: Record<string, unknown>;
}
export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}
export type Condition = FactCondition | AllCondition | AnyCondition | NotCondition;
export type TopLevelCondition = AllCondition | AnyCondition | NotCondition;

export interface RuleAction {
  type: ActionType;
  params: Record<string, unknown>;
}

/** A rule with every default filled in: what the engine and the deciders work with. */
export interface Rule {
  name: string;
  description: string;
  enabled: boolean;
  priority: number;
  severity: Severity;
  conditions: TopLevelCondition;
  action: RuleAction;
  cooldownMinutes: number;
  /** Explicit override from the file; `undefined` means "the action type's default". */
  requiresApproval?: boolean;
  notifications: { channels: string[] };
  mode: RuleMode;
  /** The rule's own verification; `undefined` means the action type's default (config verify.defaults). */
  verify?: RuleVerify;
  /** Overrides config limits.perTarget.maxActions for this rule's target. */
  maxActionsPerTarget?: number;
  /** The rules this rule holds back while its action runs, is verified or awaits approval (docs/incidents.md, "Inhibition"). */
  inhibits?: RuleInhibits;
}

/**
 * Which matching rules an active action of the inhibiting rule holds back: those named in `rules`
 * or whose action type is in `types`, narrowed to the inhibiting action's target or source.
 */
export interface RuleInhibits {
  rules?: string[];
  types?: ActionType[];
  sameTarget?: boolean;
  sameSource?: boolean;
  /** Also inhibit for this long after the inhibiting action was dispatched. */
  whileMinutes?: number;
}

/** `false` turns verification off for the rule. */
export type RuleVerify = { windowMinutes: number; onIneffective: 'revert' | 'escalate' | 'none'; prometheus?: PrometheusCheck } | false;

/** The loaded rules file: rules in file order plus what the API reports about the file. */
export interface Ruleset {
  rules: Rule[];
  byName: Map<string, Rule>;
  version: string;
  loadedAt: Date;
}
