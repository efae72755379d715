import { SCHEMA_BASE, REPLY_BASE as R, RULES_FILE, dateTime, nullableDateTime, nullableString, severity, actionType } from './shared-schemas';

/** A definition of the rules file's schema, so a patch can never allow what the file refuses. */
const rulesFileDef = (pointer: string) => ({ $ref: `${RULES_FILE}#/$defs/${pointer}` });

/**
 * Every member of a rule but its name; each given member replaces the file's whole (a new `action`
 * brings its params along). The console's rule editor sends only the members a person changed.
 */
export const rulePatchSchema = {
  $id: `${SCHEMA_BASE}/rule-patch.json`,
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    description: { type: 'string', maxLength: 1000 },
    priority: { type: 'integer', minimum: 1, maximum: 1000 },
    severity,
    cooldownMinutes: { type: 'number', minimum: 0, maximum: 525600 },
    requiresApproval: { type: 'boolean' },
    mode: { enum: ['enforce', 'shadow'] },
    conditions: rulesFileDef('topCondition'),
    action: rulesFileDef('action'),
    notifications: rulesFileDef('notifications'),
    verify: rulesFileDef('verify'),
    maxActionsPerTarget: rulesFileDef('rule/properties/maxActionsPerTarget'),
    inhibits: rulesFileDef('inhibits'),
  },
} as const;

export const ruleActionSchema = {
  $id: `${R}/rule-action.json`,
  title: 'RuleAction',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'params'],
  properties: { type: actionType, params: { type: 'object' } },
} as const;

export const effectiveRuleSchema = {
  $id: `${R}/effective-rule.json`,
  title: 'EffectiveRule',
  description: 'A rule with every default filled in; `requiresApproval` is the flag in force (rule or action-type default).',
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'description',
    'enabled',
    'priority',
    'severity',
    'conditions',
    'action',
    'cooldownMinutes',
    'requiresApproval',
    'notifications',
    'verify',
    'maxActionsPerTarget',
    'mode',
  ],
  properties: {
    name: { $ref: `${RULES_FILE}#/$defs/ruleName` },
    description: { type: 'string' },
    enabled: { type: 'boolean' },
    priority: { type: 'integer' },
    severity,
    conditions: { $ref: `${RULES_FILE}#/$defs/topCondition` },
    action: { $ref: `${R}/rule-action.json` },
    cooldownMinutes: { type: 'number', minimum: 0 },
    requiresApproval: { type: 'boolean' },
    notifications: { $ref: `${RULES_FILE}#/$defs/notifications` },
    evaluation: {
      enum: ['compiled', 'interpreted'],
      description: 'How this instance evaluates the rule: compiled to code, or by json-rules-engine (see `interpretedBecause`).',
    },
    interpretedBecause: { type: 'string', description: 'Why the compiler left this rule to json-rules-engine.' },
    evaluationErrors: {
      type: 'object',
      description: 'Snapshots on which evaluating this rule threw (decision `evaluation_error`), since this instance started.',
      additionalProperties: false,
      required: ['count', 'last'],
      properties: {
        count: { type: 'integer', minimum: 0 },
        last: {
          anyOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['message', 'at'],
              properties: { message: { type: 'string' }, at: dateTime },
            },
          ],
        },
      },
    },
    verify: { $ref: `${RULES_FILE}#/$defs/verify`, description: "In force: the rule's own, or the action type's default (config verify.defaults)." },
    maxActionsPerTarget: { type: ['integer', 'null'], minimum: 1, description: "In force: the rule's own, or limits.perTarget.maxActions; null when the action has no target (alert_only)." },
    mode: { $ref: `${RULES_FILE}#/$defs/mode` },
    inhibits: { $ref: `${RULES_FILE}#/$defs/inhibits` },
  },
} as const;

export const rulesListSchema = {
  $id: `${R}/rules-list.json`,
  title: 'RulesList',
  description: 'The rules in force, the file they came from and its version (also sent as ETag).',
  type: 'object',
  additionalProperties: false,
  required: ['file', 'version', 'loadedAt', 'lastError', 'count', 'rules'],
  properties: {
    file: { type: 'string' },
    version: { type: 'string' },
    loadedAt: dateTime,
    lastError: { anyOf: [{ type: 'null' }, { $ref: `${R}/rules-file-error.json` }] },
    count: { type: 'integer', minimum: 0 },
    rules: { type: 'array', items: { $ref: `${R}/effective-rule.json` } },
  },
} as const;

export const ruleDetailSchema = {
  $id: `${R}/rule-detail.json`,
  title: 'RuleDetail',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'rule', 'state'],
  properties: {
    version: { type: 'string' },
    rule: { $ref: `${R}/effective-rule.json` },
    state: {
      type: 'object',
      additionalProperties: false,
      required: ['cooldownUntil', 'openApprovalId'],
      properties: { cooldownUntil: nullableDateTime, openApprovalId: nullableString },
    },
  },
} as const;

export const ruleWriteSchema = {
  $id: `${R}/rule-write.json`,
  title: 'RuleWrite',
  description: 'The rule as written to the file (no defaults filled in) and the file\'s new version (also sent as ETag).',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'rule'],
  properties: { version: { type: 'string' }, rule: { $ref: `${RULES_FILE}#/$defs/rule` } },
} as const;

export const ruleDeletedSchema = {
  $id: `${R}/rule-deleted.json`,
  title: 'RuleDeleted',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string' } },
} as const;

export const rulesValidationSchema = {
  $id: `${R}/rules-validation.json`,
  title: 'RulesValidation',
  description: 'The verdict on a candidate rules file; nothing is applied.',
  type: 'object',
  additionalProperties: false,
  required: ['valid', 'problems', 'rules'],
  properties: {
    valid: { type: 'boolean' },
    problems: { type: 'array', items: { $ref: `${R}/problem-detail.json` } },
    rules: { type: 'integer', minimum: 0 },
  },
} as const;
