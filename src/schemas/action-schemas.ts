import { SCHEMA_BASE, REPLY_BASE as R, RULES_FILE, dateTime, nullableDateTime, nullableString, uuid, severity, actionType, actionStatus } from './shared-schemas';

/** The body of approve and reject. */
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

export const actionSchema = {
  $id: `${R}/action.json`,
  title: 'Action',
  description: 'A dispatched remediation action and its lifecycle.',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'rule',
    'type',
    'params',
    'severity',
    'status',
    'requestedBy',
    'snapshotId',
    'snapshot',
    'matchedFacts',
    'createdAt',
    'updatedAt',
    'expiresAt',
    'decidedBy',
    'decidedAt',
    'decisionComment',
    'startedAt',
    'finishedAt',
    'result',
    'error',
  ],
  properties: {
    id: uuid,
    rule: { type: 'string' },
    type: actionType,
    params: { type: 'object' },
    severity,
    status: actionStatus,
    requestedBy: { type: 'string', description: '`ingest:<source>`, `webhook:n8n`, or an API key name.' },
    snapshotId: nullableString,
    snapshot: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['source', 'timestamp', 'metrics'],
          properties: { source: { type: 'string' }, timestamp: { type: 'string' }, metrics: { type: 'object' } },
        },
      ],
    },
    matchedFacts: { type: 'object' },
    createdAt: dateTime,
    updatedAt: dateTime,
    expiresAt: nullableDateTime,
    decidedBy: nullableString,
    decidedAt: nullableDateTime,
    decisionComment: nullableString,
    startedAt: nullableDateTime,
    finishedAt: nullableDateTime,
    result: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['summary', 'changed'],
          properties: {
            summary: { type: 'string' },
            changed: { type: 'boolean' },
            details: { type: 'object' },
            checks: { type: 'array', items: { $ref: `${R}/strategy-check.json` } },
          },
        },
      ],
    },
    error: nullableString,
    incidentId: { ...uuid, description: 'The incident it belongs to (docs/incidents.md).' },
    runner: { type: ['string', 'null'], description: 'The instance that runs or ran the action (cluster.instanceId); null while pending.' },
    steps: {
      type: 'array',
      description:
        'Steps recorded while the action ran, just before and just after each side effect, so that recovery after a crash can say what had been done (docs/reliability.md).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'phase', 'at'],
        properties: {
          name: { type: 'string' },
          phase: { type: 'string', enum: ['before', 'after'] },
          at: dateTime,
        },
      },
    },
    target: {
      type: ['string', 'null'],
      description: 'What the action acts on, counted by the per-target budget: `router`, `prompt:<name>`, `service:<name>`, `throttle`; null for alert_only.',
    },
    verify: {
      type: 'object',
      additionalProperties: false,
      required: ['windowMinutes', 'onIneffective'],
      description: 'The verification in force when the action was dispatched; absent when it is not verified.',
      properties: {
        windowMinutes: { type: 'number', exclusiveMinimum: 0 },
        onIneffective: { enum: ['revert', 'escalate', 'none'] },
        prometheus: { $ref: `${RULES_FILE}#/$defs/prometheusCheck` },
      },
    },
    outcome: {
      enum: ['pending', 'effective', 'ineffective', 'unknown'],
      description: 'Verification result; absent when the action is not verified (or has not succeeded).',
    },
    verifyUntil: { ...nullableDateTime, description: 'When the verification window ends.' },
    outcomeAt: { ...nullableDateTime, description: 'When the outcome was decided.' },
    recoveredAt: { ...nullableDateTime, description: 'The first snapshot in the window on which the rule no longer matched.' },
    revertOf: { ...uuid, description: 'For a revert: the action it undoes.' },
    revertedBy: { ...uuid, description: 'The revert made of this action.' },
    failbackOf: { ...uuid, description: 'For an automatic failback (`model_failover` back to the primary): the failover action it follows.' },
    forcedApproval: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['snapshotId', 'failedConditions'],
          description: 'Approved with `force: true` although the rule no longer matched this snapshot.',
          properties: { snapshotId: { type: 'string' }, failedConditions: { type: 'array', items: { $ref: `${R}/condition-outcome.json` } } },
        },
      ],
    },
  },
} as const;

export const actionPageSchema = {
  $id: `${R}/action-page.json`,
  title: 'ActionPage',
  description: 'Newest first. Pass `nextCursor` as `cursor` for the next page; null on the last page.',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: { $ref: `${R}/action.json` } },
    nextCursor: nullableString,
  },
} as const;
