import { SCHEMA_BASE, REPLY_BASE as R, RULES_FILE, dateTime, uuid, decisionKind, ruleDecisionKind } from './shared-schemas';

export const simulateRequestSchema = {
  $id: `${SCHEMA_BASE}/simulate-request.json`,
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ruleName: { $ref: `${RULES_FILE}#/$defs/ruleName` },
    snapshot: { $ref: `${SCHEMA_BASE}/snapshot.json` },
  },
} as const;

export const conditionOutcomeSchema = {
  $id: `${R}/condition-outcome.json`,
  title: 'ConditionOutcome',
  type: 'object',
  additionalProperties: false,
  required: ['fact', 'operator', 'result'],
  properties: {
    fact: { type: 'string' },
    path: { type: 'string' },
    operator: { type: 'string' },
    value: {},
    factValue: {},
    result: { type: 'boolean' },
  },
} as const;

export const simulateResultSchema = {
  $id: `${R}/simulate-result.json`,
  title: 'SimulateResult',
  type: 'object',
  additionalProperties: false,
  required: ['dryRun', 'rulesVersion', 'at', 'results'],
  properties: {
    dryRun: { const: true },
    rulesVersion: { type: 'string' },
    at: dateTime,
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'enabled', 'priority', 'action', 'requiresApproval', 'matched', 'decision', 'reason'],
        properties: {
          rule: { type: 'string' },
          enabled: { type: 'boolean' },
          priority: { type: 'integer' },
          action: { $ref: `${R}/rule-action.json` },
          requiresApproval: { type: 'boolean' },
          matched: { type: 'boolean' },
          decision: { enum: [...ruleDecisionKind.enum, 'no_match', 'disabled'] },
          wouldDecide: decisionKind,
          reason: { type: 'string' },
          until: dateTime,
          actionId: uuid,
          target: { type: 'string' },
          inhibitedBy: { $ref: `${R}/inhibited-by.json` },
    incidentId: { type: 'string', format: 'uuid', description: 'For `budget_exhausted` of limits.perIncident: the incident whose budget is spent.' },
          silenceId: { type: 'string', description: 'For `silenced`: the silence in force.' },
          ifEnabled: ruleDecisionKind,
          matchedFacts: { type: 'object' },
          failedConditions: { type: 'array', items: { $ref: `${R}/condition-outcome.json` } },
        },
      },
    },
  },
} as const;
