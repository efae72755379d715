import { SEVERITIES } from '../domain/rule';
/** Request-body schemas of the core API. Each has an $id and is compiled once by the registry. */
export const SCHEMA_BASE = 'https://self-healing.local/schemas';

export const snapshotSchema = {
  $id: `${SCHEMA_BASE}/snapshot.json`,
  type: 'object',
  additionalProperties: false,
  required: ['source', 'timestamp', 'metrics'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' },
    timestamp: { type: 'string', format: 'date-time', maxLength: 64 },
    // Each top-level key becomes a json-rules-engine fact, which refuses an empty id (a 500 otherwise).
    metrics: { type: 'object', maxProperties: 500, propertyNames: { minLength: 1, maxLength: 200 } },
  },
} as const;

/** The envelope only: each snapshot is validated alone, so one bad one does not refuse the rest. */
export const metricsBatchSchema = {
  $id: `${SCHEMA_BASE}/metrics-batch.json`,
  type: 'object',
  additionalProperties: false,
  required: ['snapshots'],
  properties: {
    snapshots: { type: 'array', minItems: 1, description: 'At most `snapshots.batchMaxCount` (default 1,000).' },
  },
} as const;

export const simulateRequestSchema = {
  $id: `${SCHEMA_BASE}/simulate-request.json`,
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ruleName: { $ref: `${SCHEMA_BASE}/rules-file.json#/$defs/ruleName` },
    snapshot: { $ref: `${SCHEMA_BASE}/snapshot.json` },
  },
} as const;

export const decisionRequestSchema = {
  $id: `${SCHEMA_BASE}/decision-request.json`,
  type: 'object',
  additionalProperties: false,
  required: ['by'],
  properties: {
    by: { type: 'string', minLength: 1, maxLength: 200 },
    comment: { type: 'string', maxLength: 2000 },
    force: {
      type: 'boolean',
      description: 'Approve: run even though the rule no longer matches the latest snapshot from its source (recorded as forcedApproval).',
    },
  },
} as const;

/** A definition of the rules file's schema, so a patch can never allow what the file refuses. */
const rulesFileDef = (pointer: string) => ({ $ref: `${SCHEMA_BASE}/rules-file.json#/$defs/${pointer}` });

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
    severity: { enum: SEVERITIES },
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
