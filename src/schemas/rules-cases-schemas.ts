import { SCHEMA_BASE } from './shared-schemas';

const KINDS = ['execute', 'require_approval', 'cooldown', 'duplicate_pending', 'inhibited', 'budget_exhausted'] as const;
/** What a step may expect of a rule: a decision, `shadow` or `shadow:<what it would decide>`, or `no_match`. */
export const EXPECTATIONS = [...KINDS, 'shadow', ...KINDS.map((k) => `shadow:${k}`), 'evaluation_error', 'no_match'] as const;
export type Expectation = (typeof EXPECTATIONS)[number];
/** What a step may expect of a verification window that ended before it: an outcome, with what followed an ineffective one, or `none`. */
export const OUTCOME_EXPECTATIONS = ['effective', 'ineffective', 'ineffective:revert', 'ineffective:escalate', 'unknown', 'none'] as const;
export type OutcomeExpectation = (typeof OUTCOME_EXPECTATIONS)[number];

/** A cases file of `self-healing rules test` (docs/cli.md), like a promtool rule test file. */
export const rulesCasesSchema = {
  $id: `${SCHEMA_BASE}/rules-cases.json`,
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string', maxLength: 2000 },
    cases: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'steps'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: 'string', maxLength: 2000 },
          start: { type: 'string', format: 'date-time', description: 'Virtual time of the first step; default 2026-01-01T00:00:00Z.' },
          approvals: { enum: ['approve', 'reject', 'pending'], description: 'What happens to approvals asked for; default pending.' },
          steps: {
            type: 'array',
            minItems: 1,
            maxItems: 10000,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['snapshot', 'expect'],
              properties: {
                after: {
                  type: 'string',
                  pattern: '^([0-9]{1,9}(ms|s|m|h|d))+$',
                  description: 'Virtual time that passes before this step, e.g. 90s, 5m, 1h30m.',
                },
                snapshot: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['metrics'],
                  properties: {
                    source: { type: 'string', minLength: 1, maxLength: 128 },
                    timestamp: { type: 'string' },
                    metrics: { type: 'object' },
                  },
                },
                expect: {
                  type: 'object',
                  propertyNames: { $ref: `${SCHEMA_BASE}/rules-file.json#/$defs/ruleName` },
                  additionalProperties: { enum: [...EXPECTATIONS] },
                },
                expectOutcome: {
                  type: 'object',
                  description: 'Per rule, the outcome of a verification window that ended since the previous step; none: no window ended.',
                  propertyNames: { $ref: `${SCHEMA_BASE}/rules-file.json#/$defs/ruleName` },
                  additionalProperties: { enum: [...OUTCOME_EXPECTATIONS] },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const RULES_CASES_SCHEMA_IDS = { rulesCases: rulesCasesSchema.$id } as const;
