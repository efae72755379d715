import { STORE_KINDS } from '../config/schema';
import { ACTION_STATUSES } from '../domain/action';
import { DECISION_KINDS } from '../domain/decision';
import { BREAKER_STATES, DELIVERY_STATUSES } from '../domain/notification';
import { PROBLEM_CODES } from '../domain/problem-codes';
import { ACTION_TYPES, SEVERITIES } from '../domain/rule';
import { HOST_ROLES } from '../domain/state';
import { SCHEMA_BASE } from './api-schemas';

/**
 * Reply shapes of the API, one schema per shape with an $id. They are registered in the same ajv
 * registry as the request schemas and feed the OpenAPI document; the integration tests validate
 * real replies against them, so a reply that drifts from its schema fails a test. Objects are closed
 * (additionalProperties/unevaluatedProperties false) so that an undocumented field is caught too.
 */
const R = `${SCHEMA_BASE}/responses`;
const RULES_FILE = `${SCHEMA_BASE}/rules-file.json`;

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const severity = { enum: SEVERITIES } as const;
const actionType = { enum: ACTION_TYPES } as const;
const actionStatus = { enum: ACTION_STATUSES } as const;
const decisionKind = { enum: DECISION_KINDS } as const;
/** A rule's decision after its mode: a shadow rule's is `shadow`, with `wouldDecide`. */
const ruleDecisionKind = { enum: [...DECISION_KINDS, 'shadow'] } as const;

/** RFC 9457 problem details as the error handler writes them; kinds may add extension members. */
export const problemSchema = {
  $id: `${R}/problem.json`,
  title: 'Problem',
  description:
    'application/problem+json (RFC 9457). `code` is stable (one of the listed values; clients branch on it, never on the words); `errors` lists every validation problem with a JSON pointer. Some kinds add members (currentVersion, lastError, reason, checks, state, ...).',
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'instance'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', enum: PROBLEM_CODES },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { $ref: `${R}/problem-detail.json` },
    },
  },
} as const;

export const problemDetailSchema = {
  $id: `${R}/problem-detail.json`,
  title: 'ProblemDetail',
  type: 'object',
  additionalProperties: false,
  required: ['pointer', 'message'],
  properties: { pointer: { type: 'string' }, message: { type: 'string' } },
} as const;

export const healthSchema = {
  $id: `${R}/health.json`,
  title: 'Health',
  type: 'object',
  additionalProperties: false,
  required: ['status', 'uptimeSeconds'],
  properties: {
    status: { const: 'ok' },
    uptimeSeconds: { type: 'integer', minimum: 0 },
    instance: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'periodicWork'],
      description: 'Which instance answered, and whether it holds the lease for the periodic work.',
      properties: { id: { type: 'string' }, periodicWork: { type: 'boolean' } },
    },
  },
} as const;

export const rulesFileErrorSchema = {
  $id: `${R}/rules-file-error.json`,
  title: 'RulesFileError',
  description: 'Why the rules file on disk was refused (the last good rules stay in force).',
  type: 'object',
  additionalProperties: false,
  required: ['file', 'pointer', 'message', 'problems', 'at'],
  properties: {
    file: { type: 'string' },
    pointer: { type: 'string' },
    message: { type: 'string' },
    problems: { type: 'array', items: { $ref: `${R}/problem-detail.json` } },
    at: dateTime,
  },
} as const;

export const readinessSchema = {
  $id: `${R}/readiness.json`,
  title: 'Readiness',
  type: 'object',
  additionalProperties: false,
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      additionalProperties: false,
      required: ['store', 'rules'],
      properties: {
        store: {
          type: 'object',
          additionalProperties: false,
          required: ['ok', 'kind'],
          properties: { ok: { type: 'boolean' }, kind: { enum: STORE_KINDS } },
        },
        rules: {
          type: 'object',
          additionalProperties: false,
          required: ['ok'],
          properties: {
            ok: { type: 'boolean' },
            file: { type: 'string' },
            version: { type: 'string' },
            loadedAt: dateTime,
            lastError: { anyOf: [{ type: 'null' }, { $ref: `${R}/rules-file-error.json` }] },
            count: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
  },
} as const;

export const strategyCheckSchema = {
  $id: `${R}/strategy-check.json`,
  title: 'StrategyCheck',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'ok'],
  properties: {
    name: { type: 'string' },
    ok: { type: 'boolean' },
    detail: { type: 'string' },
    durationMs: { type: 'number', minimum: 0 },
  },
} as const;

const failoverStateProperties = {
  current: { enum: HOST_ROLES },
  primary: { type: 'string' },
  secondary: { type: 'string' },
  failedOver: { type: 'boolean' },
  failoverTimestamp: nullableDateTime,
  reason: nullableString,
  failoverCount: { type: 'integer', minimum: 0 },
  currentUrl: { type: 'string', description: 'The base URL of `current`: where clients should send model traffic.' },
} as const;
const failoverStateRequired = [
  'current',
  'primary',
  'secondary',
  'failedOver',
  'failoverTimestamp',
  'reason',
  'failoverCount',
  'currentUrl',
] as const;

const hostProbeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'ok', 'latencyMs', 'reason'],
  properties: {
    at: dateTime,
    ok: { type: 'boolean' },
    latencyMs: { type: 'number', minimum: 0, description: 'How long the answer took (or until the timeout).' },
    reason: { type: 'string', description: '`HTTP 200`, `timed out after 3000 ms`, `connection refused`, ...' },
  },
} as const;

export const routerStateSchema = {
  $id: `${R}/router-state.json`,
  title: 'RouterState',
  description: 'Which model host clients should use. The legacy fields are kept exactly as n8n workflows read them.',
  type: 'object',
  additionalProperties: false,
  required: [...failoverStateRequired, 'probes', 'healthyStreak', 'failbackAt', 'failback'],
  properties: {
    ...failoverStateProperties,
    probes: {
      type: 'array',
      items: hostProbeSchema,
      description: 'While failed over: the last probes of the primary, oldest first, with their latency. Empty on the primary.',
    },
    healthyStreak: { type: 'integer', minimum: 0, description: 'Consecutive healthy probes of the primary, up to the newest.' },
    failbackAt: {
      ...nullableDateTime,
      description: 'When the automatic failback is due if the primary stays healthy; null when none is coming (on the primary, disabled, suspended, or one under way).',
    },
    failback: {
      type: 'object',
      additionalProperties: false,
      required: [
        'enabled',
        'status',
        'healthyProbesNeeded',
        'holdSeconds',
        'secondaryProbe',
        'failoverActionId',
        'pendingFailbackId',
        'suspendedAt',
        'failbacksLastHour',
      ],
      properties: {
        enabled: { type: 'boolean' },
        status: { type: 'string', description: 'What the failback waits for, in words.' },
        healthyProbesNeeded: { type: 'integer', minimum: 1 },
        holdSeconds: { type: 'number', minimum: 0, description: 'Time on the secondary before a failback; doubled after one that did not hold.' },
        secondaryProbe: { anyOf: [{ type: 'null' }, hostProbeSchema], description: 'The last probe of the secondary (made when the primary failed one).' },
        failoverActionId: { type: ['string', 'null'], description: 'The failover action a failback would follow (`failback:<id>`).' },
        pendingFailbackId: { type: ['string', 'null'], description: 'The failback under way (pending approval, running or being verified).' },
        suspendedAt: { ...nullableDateTime, description: 'Automatic failback stopped (too many per hour); an operator decides.' },
        failbacksLastHour: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

export const routerResetResultSchema = {
  $id: `${R}/router-reset-result.json`,
  title: 'RouterResetResult',
  type: 'object',
  additionalProperties: false,
  required: [...failoverStateRequired, 'changed', 'summary', 'checks'],
  properties: {
    ...failoverStateProperties,
    changed: { type: 'boolean' },
    summary: { type: 'string' },
    checks: { type: 'array', items: { $ref: `${R}/strategy-check.json` } },
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
    snapshotId: { type: ['string', 'null'] },
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
          at: { type: 'string', format: 'date-time' },
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

export const ingestResultSchema = {
  $id: `${R}/ingest-result.json`,
  title: 'IngestResult',
  type: 'object',
  additionalProperties: false,
  required: ['snapshotId', 'rulesVersion', 'decisions', 'counts'],
  properties: {
    snapshotId: uuid,
    rulesVersion: { type: 'string' },
    decisions: {
      type: 'array',
      description: 'One entry per matched rule (or rule that could not be evaluated), in priority order; with `?decisions=acted`, without `cooldown` and `duplicate_pending` entries.',
      items: { $ref: `${R}/applied-decision.json` },
    },
    counts: { $ref: `${R}/decision-counts.json` },
  },
} as const;

export const decisionCountsSchema = {
  $id: `${R}/decision-counts.json`,
  title: 'DecisionCounts',
  description: 'Every decision taken for a snapshot, by kind (only the kinds that occurred), whether listed in `decisions` or left out by `?decisions=acted`.',
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries([...DECISION_KINDS, 'shadow'].map((k) => [k, { type: 'integer', minimum: 1 }])),
} as const;

export const batchIngestResultSchema = {
  $id: `${R}/batch-ingest-result.json`,
  title: 'BatchIngestResult',
  description: 'One entry per snapshot, in input order: what a single ingest returns, or the problem with that snapshot.',
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        anyOf: [
          { $ref: `${R}/ingest-result.json` },
          {
            type: 'object',
            additionalProperties: false,
            required: ['error'],
            properties: { error: { $ref: `${R}/problem.json` } },
          },
        ],
      },
    },
  },
} as const;

export const appliedDecisionSchema = {
  $id: `${R}/applied-decision.json`,
  title: 'AppliedDecision',
  description: 'What was done about one matched rule; `status` is the action\'s (final with `wait=true`).',
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'decision', 'reason'],
  properties: {
    rule: { type: 'string' },
    decision: ruleDecisionKind,
    wouldDecide: decisionKind,
    reason: { type: 'string' },
    actionId: uuid,
    status: actionStatus,
    until: dateTime,
    target: { type: 'string', description: 'For `budget_exhausted`: the target whose budget is spent.' },
    inhibitedBy: { $ref: `${R}/inhibited-by.json` },
    incidentId: { type: 'string', format: 'uuid', description: 'For `budget_exhausted` of limits.perIncident: the incident whose budget is spent.' },
    silenceId: { type: 'string', description: 'For `silenced`: the silence in force (`until`: when it, or its scheduled window, ends).' },
  },
} as const;

export const inhibitedBySchema = {
  $id: `${R}/inhibited-by.json`,
  title: 'InhibitedBy',
  description: 'For `inhibited`: the action holding the rule back and its rule; no `actionId` in a dry run whose inhibitor is the same snapshot\'s dispatch.',
  type: 'object',
  additionalProperties: false,
  required: ['rule'],
  properties: { rule: { type: 'string' }, actionId: uuid },
} as const;

export const triggerResultSchema = {
  $id: `${R}/trigger-result.json`,
  title: 'TriggerResult',
  type: 'object',
  additionalProperties: false,
  required: ['rulesVersion', 'requestedBy', 'decisions'],
  properties: {
    rulesVersion: { type: 'string' },
    requestedBy: { type: 'string', description: 'The API key name (or `manual:unauthenticated` in open mode).' },
    decisions: { type: 'array', minItems: 1, maxItems: 1, items: { $ref: `${R}/applied-decision.json` } },
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

const promptVersionProperties = {
  version: { type: 'integer', minimum: 1 },
  content: { type: 'string' },
  description: { type: 'string' },
  createdAt: dateTime,
  active: { type: 'boolean' },
} as const;

export const promptVersionSchema = {
  $id: `${R}/prompt-version.json`,
  title: 'PromptVersion',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'content', 'createdAt', 'active'],
  properties: promptVersionProperties,
} as const;

export const activePromptSchema = {
  $id: `${R}/active-prompt.json`,
  title: 'ActivePrompt',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'content', 'createdAt', 'active'],
  properties: { name: { type: 'string' }, ...promptVersionProperties },
} as const;

export const promptSchema = {
  $id: `${R}/prompt.json`,
  title: 'Prompt',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'versions', 'activeVersion', 'active'],
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { $ref: `${R}/prompt-version.json` } },
    activeVersion: { type: ['integer', 'null'] },
    active: { anyOf: [{ type: 'null' }, { $ref: `${R}/prompt-version.json` }] },
  },
} as const;

export const promptListSchema = {
  $id: `${R}/prompt-list.json`,
  title: 'PromptList',
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'activeVersion', 'latestVersion', 'versionCount', 'updatedAt'],
        properties: {
          name: { type: 'string' },
          activeVersion: { type: ['integer', 'null'] },
          latestVersion: { type: ['integer', 'null'] },
          versionCount: { type: 'integer', minimum: 0 },
          updatedAt: nullableDateTime,
        },
      },
    },
  },
} as const;

export const promptVersionCreatedSchema = {
  $id: `${R}/prompt-version-created.json`,
  title: 'PromptVersionCreated',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'prompt'],
  properties: { version: { $ref: `${R}/prompt-version.json` }, prompt: { $ref: `${R}/prompt.json` } },
} as const;

const throttleStateProperties = {
  active: { type: 'boolean' },
  factor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  limit: { type: 'number', minimum: 0 },
  baseLimit: { type: 'number', minimum: 0 },
  until: nullableDateTime,
  previous: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['factor', 'limit'],
        properties: { factor: { type: 'number' }, limit: { type: 'number' } },
      },
    ],
  },
  reason: nullableString,
  restore: {
    type: 'object',
    additionalProperties: false,
    required: ['steps', 'stepMinutes', 'next', 'throttledFactor', 'rule', 'source', 'actionId', 'history'],
    description: 'A restore in steps (the rule\'s `restore`): each step up only while the rule no longer matches; a step after which it matches again goes back one (recorded in `history`). Kept once restored; absent when the throttle comes back whole.',
    properties: {
      steps: { type: 'array', items: { type: 'number' } },
      stepMinutes: { type: 'number' },
      next: { type: 'integer', minimum: 0, description: 'Index in `steps` of the next step up; `steps.length` once restored.' },
      throttledFactor: { type: 'number' },
      rule: { type: 'string' },
      source: nullableString,
      actionId: nullableString,
      history: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'change', 'from', 'to', 'reason'],
          properties: {
            at: dateTime,
            change: { enum: ['stepped', 'stepped_back', 'restored'] },
            from: { type: 'number' },
            to: { type: 'number' },
            reason: { type: 'string' },
          },
        },
      },
    },
  },
} as const;
const throttleStateRequired = ['active', 'factor', 'limit', 'baseLimit', 'until', 'previous', 'reason'] as const;

export const throttleStateSchema = {
  $id: `${R}/throttle-state.json`,
  title: 'ThrottleState',
  description: 'The request rate the apps\' limiters should allow now (`limit`), and until when.',
  type: 'object',
  additionalProperties: false,
  required: throttleStateRequired,
  properties: throttleStateProperties,
} as const;

export const throttleRestoreResultSchema = {
  $id: `${R}/throttle-restore-result.json`,
  title: 'ThrottleRestoreResult',
  type: 'object',
  additionalProperties: false,
  required: [...throttleStateRequired, 'restored'],
  properties: { ...throttleStateProperties, restored: { type: 'boolean' } },
} as const;

export const alertSchema = {
  $id: `${R}/alert.json`,
  title: 'Alert',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'rule', 'severity', 'message', 'metrics', 'actionId', 'createdAt', 'acknowledgedAt', 'acknowledgedBy'],
  properties: {
    id: uuid,
    rule: { type: 'string' },
    severity,
    message: { type: 'string' },
    metrics: { type: 'object' },
    actionId: { type: ['string', 'null'] },
    incidentId: { ...uuid, description: 'The incident of the action (or escalation) it reports.' },
    createdAt: dateTime,
    acknowledgedAt: nullableDateTime,
    acknowledgedBy: nullableString,
  },
} as const;

export const alertPageSchema = {
  $id: `${R}/alert-page.json`,
  title: 'AlertPage',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: { $ref: `${R}/alert.json` } }, nextCursor: nullableString },
} as const;

export const notificationPageSchema = {
  $id: `${R}/notification-page.json`,
  title: 'NotificationPage',
  description:
    'Outbound events and their delivery state, newest first; `breakers` is the circuit state per destination; `overflow` counts events dropped by a full outbox.',
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor', 'breakers', 'overflow'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'eventId', 'type', 'destination', 'status', 'attempts', 'lastError', 'lastStatusCode', 'nextAttemptAt', 'deliveredAt', 'createdAt', 'updatedAt', 'event'],
        properties: {
          id: { type: ['string', 'integer'] },
          eventId: { type: 'string' },
          type: { type: 'string' },
          destination: { type: 'string' },
          status: { enum: DELIVERY_STATUSES },
          attempts: { type: 'integer', minimum: 0 },
          lastError: nullableString,
          lastStatusCode: { type: ['integer', 'null'] },
          nextAttemptAt: nullableDateTime,
          deliveredAt: nullableDateTime,
          createdAt: dateTime,
          updatedAt: dateTime,
          event: {},
        },
      },
    },
    nextCursor: nullableString,
    breakers: { type: 'object', additionalProperties: { enum: BREAKER_STATES } },
    overflow: {
      type: 'object',
      description:
        'Events this instance could not queue since it started because the outbox already held `maxPending` undelivered entries (notifications.delivery.maxPending): the oldest are kept, new ones dropped.',
      additionalProperties: false,
      required: ['dropped', 'maxPending'],
      properties: { dropped: { type: 'integer', minimum: 0 }, maxPending: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

export const openApiDocumentSchema = {
  $id: `${R}/openapi-document.json`,
  title: 'OpenApiDocument',
  description: 'This document (OpenAPI 3.1).',
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' }, components: { type: 'object' } },
} as const;

/** $ids of the reply schemas, for the OpenAPI operation table and the tests. */
export const RESPONSE_SCHEMA_IDS = {
  problem: problemSchema.$id,
  health: healthSchema.$id,
  readiness: readinessSchema.$id,
  routerState: routerStateSchema.$id,
  routerResetResult: routerResetResultSchema.$id,
  action: actionSchema.$id,
  actionPage: actionPageSchema.$id,
  ingestResult: ingestResultSchema.$id,
  batchIngestResult: batchIngestResultSchema.$id,
  triggerResult: triggerResultSchema.$id,
  simulateResult: simulateResultSchema.$id,
  rulesList: rulesListSchema.$id,
  ruleDetail: ruleDetailSchema.$id,
  ruleWrite: ruleWriteSchema.$id,
  ruleDeleted: ruleDeletedSchema.$id,
  rulesValidation: rulesValidationSchema.$id,
  prompt: promptSchema.$id,
  promptList: promptListSchema.$id,
  activePrompt: activePromptSchema.$id,
  promptVersionCreated: promptVersionCreatedSchema.$id,
  throttleState: throttleStateSchema.$id,
  throttleRestoreResult: throttleRestoreResultSchema.$id,
  alert: alertSchema.$id,
  alertPage: alertPageSchema.$id,
  openApiDocument: openApiDocumentSchema.$id,
  notificationPage: notificationPageSchema.$id,
} as const;

export const responseSchemas = [
  problemSchema,
  problemDetailSchema,
  healthSchema,
  rulesFileErrorSchema,
  readinessSchema,
  strategyCheckSchema,
  routerStateSchema,
  routerResetResultSchema,
  actionSchema,
  actionPageSchema,
  ingestResultSchema,
  decisionCountsSchema,
  batchIngestResultSchema,
  appliedDecisionSchema,
  inhibitedBySchema,
  triggerResultSchema,
  conditionOutcomeSchema,
  simulateResultSchema,
  ruleActionSchema,
  effectiveRuleSchema,
  rulesListSchema,
  ruleDetailSchema,
  ruleWriteSchema,
  ruleDeletedSchema,
  rulesValidationSchema,
  promptVersionSchema,
  activePromptSchema,
  promptSchema,
  promptListSchema,
  promptVersionCreatedSchema,
  throttleStateSchema,
  throttleRestoreResultSchema,
  alertSchema,
  alertPageSchema,
  notificationPageSchema,
  openApiDocumentSchema,
];
