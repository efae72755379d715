import { ACTION_OUTCOMES, ACTION_STATUSES } from '../domain/action';
import { CLOSED_LOOP_SCHEMA_IDS as CL } from '../schemas/closed-loop-schemas';
import { CONSOLE_DESCRIPTIONS } from './console-operations';
import { ACTION_TYPES, SEVERITIES } from '../domain/rule';
import { NAME_PATTERN } from '../domain/identifiers';
import { cursorParam, idempotencyErrors, idempotencyKey, idParam, ifMatch, limitParam, notFound, pageParams, promptNameParam, ruleFilter, ruleNameParam, rulesWriteErrors } from '../http/route-parameters';
import { SCHEMA_IDS } from '../schemas/registry';
import { ALERT_SCHEMA_IDS } from '../schemas/alert-schemas';
import { ALERTMANAGER_SCHEMA_IDS } from '../schemas/alertmanager-schemas';
import { PROMPT_SCHEMA_IDS } from '../schemas/prompt-schemas';
import { RESPONSE_SCHEMA_IDS as R } from '../schemas/response-schemas';
import { routerResetRequestSchema } from '../schemas/router-health-schemas';
import { REPLAY_SCHEMA_IDS } from '../schemas/replay-schemas';
import { RULES_HISTORY_SCHEMA_IDS } from '../schemas/rules-history-schemas';
import { SNAPSHOT_SCHEMA_IDS } from '../schemas/snapshot-schemas';
import { TRIGGER_SCHEMA_IDS } from '../schemas/trigger-schemas';
import { SOURCE_SCHEMA_IDS } from '../schemas/source-schemas';
import { WEBHOOK_SCHEMA_IDS } from '../schemas/webhook-schemas';
import { ROUTES, type RouteId } from '../http/route-table';
import type { ParameterSpec, ResponseSpec, RouteSpec } from '../http/route-declaration';

/**
 * Every route the app serves, described once: the OpenAPI document is built from this table and the
 * registered JSON Schemas, and a test walks the express router to prove the two list the same routes.
 * Schemas are named by $id (request ones are the very ids the routes validate with).
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type { ParameterSpec, ResponseSpec };

/** An operation as the route table does not already say it. */
export type OperationDoc = Omit<RouteSpec, 'method' | 'path' | 'access' | 'ingestLimited'>;

export interface OperationSpec extends OperationDoc {
  method: Method;
  /** Express form, `:name` parameters (as in the access policy). */
  path: string;
  operationId: string;
}

const RULE_NAME_PATTERN = NAME_PATTERN.source;

/** How each route of the table is described; the route's name is its operationId. */
const DESCRIPTIONS = {
  getOpenApiDocument: {
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document: the exact contract of the API',
    responses: [{ status: 200, description: 'The document.', schema: R.openApiDocument }],
  },
  getRouterState: {
    tag: 'model-failover',
    summary: 'Which model host to use (legacy route, read by n8n and client apps)',
    description:
      'The failover state (the legacy fields), and while failed over the probes of the primary (`probes`, `healthyStreak`) and when an automatic failback is due (`failbackAt`, `failback`).',
    responses: [{ status: 200, description: 'The failover state and the failback; never cached.', schema: R.routerState, headers: ['Cache-Control'] }],
  },
  resetRouter: {
    tag: 'model-failover',
    summary: 'Switch back to the primary host after checking its health',
    body: { schema: routerResetRequestSchema.$id, required: false, description: 'Optional; `by` names who reset.' },
    responses: [{ status: 200, description: 'Reset (or already on primary: `changed: false`).', schema: R.routerResetResult, headers: ['Cache-Control'] }],
    errors: [{ status: 409, description: '`primary_unhealthy`: the primary failed its health check; nothing changed (`checks`, `state`).' }],
  },
  ingestSnapshot: {
    tag: 'remediation',
    summary: 'Ingest a metric snapshot: evaluate, decide, act',
    parameters: [
      { name: 'wait', in: 'query', description: '`true`: wait for executed actions to finish and report their final status.', schema: { enum: ['true', 'false'] } },
      { name: 'decisions', in: 'query', description: '`acted`: list only decisions that did something, leaving out `cooldown` and `duplicate_pending` ones (`counts` still counts them); `all` (default): every decision.', schema: { enum: ['all', 'acted'] } },
      idempotencyKey,
    ],
    body: { schema: SCHEMA_IDS.snapshot, required: true },
    responses: [{ status: 200, description: 'Stored and evaluated; one decision per matched rule.', schema: R.ingestResult, headers: ['Idempotent-Replayed'] }],
    errors: idempotencyErrors,
  },
  ingestSnapshotBatch: {
    tag: 'remediation',
    summary: 'Ingest many snapshots in one request',
    description:
      'Body `{ "snapshots": [...] }` (application/json) or one snapshot per line (application/x-ndjson), at most `snapshots.batchMaxCount` (default 1,000) and the body limit. Each snapshot is validated alone; the good ones are stored in one transaction and decided in input order exactly as if sent one by one. 200 when every snapshot went through, 207 when some did not.',
    parameters: [
      { name: 'wait', in: 'query', description: '`true`: wait for executed actions to finish and report their final status.', schema: { enum: ['true', 'false'] } },
      { name: 'decisions', in: 'query', description: '`acted`: list only decisions that did something, leaving out `cooldown` and `duplicate_pending` ones (`counts` still counts them); `all` (default): every decision.', schema: { enum: ['all', 'acted'] } },
      idempotencyKey,
    ],
    body: { schema: SCHEMA_IDS.metricsBatch, required: true, ndjsonItem: SCHEMA_IDS.snapshot },
    responses: [
      { status: 200, description: 'Every snapshot stored and evaluated.', schema: R.batchIngestResult, headers: ['Idempotent-Replayed'] },
      { status: 207, description: 'Some snapshots were refused (`{ "error": <problem> }` in their place); the others went through.', schema: R.batchIngestResult, headers: ['Idempotent-Replayed'] },
    ],
    errors: idempotencyErrors,
  },
  simulate: {
    tag: 'remediation',
    summary: 'Dry run: the decisions ingest would take; changes nothing',
    description: 'Body: `{ snapshot }`, `{ ruleName, snapshot }` or `{ ruleName }` (the legacy form: the rule is treated as matched).',
    body: { schema: SCHEMA_IDS.simulateRequest, required: true },
    responses: [{ status: 200, description: 'The decisions, and why.', schema: R.simulateResult }],
    errors: [notFound('rule (ruleName)')],
  },
  replay: {
    tag: 'remediation',
    summary: 'Replay stored (or given) snapshots through evaluate and decide on a virtual clock; changes nothing',
    description:
      'Snapshots in time order (stored ones by when they were received, or by their own `timestamp` with `clock: "timestamp"`; given ones by `timestamp`), from no cooldowns, no open approvals, no budget used and no verification window open, never paused, through the same evaluate and decide as ingest: per-target budgets are claimed on the virtual clock (`budget_exhausted`), and each action that runs opens its verification window, decided when the clock passes its end (timeline entries with `decision: "verified"`, `outcome` and `followUp`; a replay only records them, it never acts). `rules` replays a candidate file instead of the rules in force; `compareTo: "current"` adds `diff`, the rules whose decision counts differ. The timeline is paged by `limit` (default 1000) and `cursor` (send the same request with the returned `nextCursor`); `summary` and `diff` always cover every snapshot. See docs/replay.md.',
    body: { schema: REPLAY_SCHEMA_IDS.replayRequest, required: false },
    responses: [{ status: 200, description: 'Timeline, per-rule counts of decisions and outcomes and (with compareTo) the diff.', schema: REPLAY_SCHEMA_IDS.replayResult }],
    errors: [{ status: 429, description: 'A replay is already running on this instance (Retry-After).' }],
  },
  listRules: {
    tag: 'rules',
    summary: 'The rules in force and the file status (legacy route)',
    responses: [{ status: 200, description: 'Rules with defaults filled in.', schema: R.rulesList, headers: ['ETag'] }],
  },
  validateRulesFile: {
    tag: 'rules',
    summary: 'Validate a whole candidate rules file; applies nothing',
    body: { schema: SCHEMA_IDS.rulesFile, required: true, description: 'Any JSON; an invalid candidate is answered 200 with `valid: false`.' },
    responses: [{ status: 200, description: 'The verdict with every problem.', schema: R.rulesValidation }],
  },
  listRulesHistory: {
    tag: 'rules',
    summary: 'Every accepted version of the rules file, newest first: who, how (api, file, rollback) and the diff',
    parameters: [
      // The same limit and cursor the server reads (QueryReader.limit, .cursor) as every paged route.
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: RULES_HISTORY_SCHEMA_IDS.historyPage }],
  },
  rollbackRules: {
    tag: 'rules',
    summary: 'Restore a recorded version of the rules file (validated, atomic, recorded as a rollback)',
    description: 'Works also while the file on disk is invalid. The restored file is written as the API writes (2-space JSON), so its version equals the recorded one when that was written by the API.',
    parameters: [{ ...ifMatch, required: true, description: 'The rules file version (ETag) being replaced; required.' }],
    body: { schema: RULES_HISTORY_SCHEMA_IDS.rollbackRequest, required: true },
    responses: [{ status: 200, description: 'Restored.', schema: RULES_HISTORY_SCHEMA_IDS.rollbackResult, headers: ['ETag'] }],
    errors: [
      notFound('version'),
      { status: 412, description: 'If-Match does not match the file on disk (`currentVersion` says what does).' },
      { status: 428, description: 'If-Match is missing.' },
      { status: 503, description: 'Another writer held the rules file lock for longer than 5 s; retry.' },
    ],
  },
  getRule: {
    tag: 'rules',
    summary: 'One rule, its cooldown and open approval',
    parameters: [ruleNameParam],
    responses: [{ status: 200, description: 'The rule.', schema: R.ruleDetail, headers: ['ETag'] }],
    errors: [notFound('rule')],
  },
  triggerRule: {
    tag: 'remediation',
    summary: "Request a rule's action now, through the same cooldown and approval gates as an ingest",
    description: 'The requester on record is the API key name. With four eyes on for the action type, the same key cannot approve it.',
    parameters: [
      ruleNameParam,
      { name: 'wait', in: 'query', description: '`true`: wait for an executed action to finish.', schema: { enum: ['true', 'false'] } },
    ],
    body: { schema: TRIGGER_SCHEMA_IDS.triggerRequest, required: false, description: 'Optional; `reason` is kept for the approver.' },
    responses: [{ status: 200, description: 'The decision taken (execute, require_approval, cooldown or duplicate_pending).', schema: R.triggerResult }],
    errors: [notFound('rule'), { status: 409, description: '`rule_disabled`: enable the rule before triggering it.' }],
  },
  createRule: {
    tag: 'rules',
    summary: 'Add a rule (written back to the file atomically)',
    parameters: [ifMatch],
    body: { schema: SCHEMA_IDS.rule, required: true },
    responses: [{ status: 201, description: 'Written.', schema: R.ruleWrite, headers: ['ETag'] }],
    errors: rulesWriteErrors,
  },
  replaceRule: {
    tag: 'rules',
    summary: 'Replace a rule (the body name must match the URL)',
    parameters: [ruleNameParam, ifMatch],
    body: { schema: SCHEMA_IDS.rule, required: true },
    responses: [{ status: 200, description: 'Written.', schema: R.ruleWrite, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
  patchRule: {
    tag: 'rules',
    summary: 'Change some members of a rule (any but its name); each member given replaces the file\'s, the others stay as written',
    parameters: [ruleNameParam, ifMatch],
    body: { schema: SCHEMA_IDS.rulePatch, required: true },
    responses: [{ status: 200, description: 'Written.', schema: R.ruleWrite, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
  deleteRule: {
    tag: 'rules',
    summary: 'Delete a rule',
    parameters: [ruleNameParam, ifMatch],
    responses: [{ status: 200, description: 'Deleted; the file\'s new version.', schema: R.ruleDeleted, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
  listActions: {
    tag: 'actions',
    summary: 'Action history, newest first (legacy route)',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: `Comma-separated statuses: ${ACTION_STATUSES.join(', ')}.`,
        schema: { type: 'string', pattern: `^(${ACTION_STATUSES.join('|')})(,(${ACTION_STATUSES.join('|')}))*$` },
      },
      ruleFilter,
      { name: 'type', in: 'query', description: 'Only this action type.', schema: { enum: [...ACTION_TYPES] } },
      {
        name: 'outcome',
        in: 'query',
        description: 'Only actions with this verification outcome (docs/verification.md).',
        schema: { enum: [...ACTION_OUTCOMES] },
      },
      {
        name: 'failbackOf',
        in: 'query',
        description: 'Only the automatic failbacks of this failover action (docs/strategies/model-failover.md).',
        schema: { type: 'string', format: 'uuid' },
      },
      ...pageParams,
    ],
    responses: [{ status: 200, description: 'One page.', schema: R.actionPage }],
  },
  getAction: {
    tag: 'actions',
    summary: 'One action',
    parameters: [idParam('Action')],
    responses: [{ status: 200, description: 'The action.', schema: R.action }],
    errors: [notFound('action')],
  },
  approveAction: {
    tag: 'actions',
    summary: 'Approve a pending action and run it',
    description:
      'First re-evaluates the rule against the newest snapshot from the action\'s source received after the action was requested: when the rule no longer matches, 409 `condition_cleared` naming that snapshot and the failing conditions (the action stays pending; `"force": true` approves anyway and is recorded as `forcedApproval`). Refused with 409 `paused` while automation is paused.',
    parameters: [idParam('Action')],
    body: { schema: SCHEMA_IDS.decisionRequest, required: true },
    responses: [{ status: 200, description: 'The action with its outcome.', schema: R.action }],
    errors: [
      notFound('action'),
      {
        status: 409,
        description: '`already_decided` (the first decision wins), `approval_expired`, `paused`, or `condition_cleared` (with snapshotId, snapshotReceivedAt, failedConditions).',
      },
    ],
  },
  rejectAction: {
    tag: 'actions',
    summary: 'Reject a pending action',
    parameters: [idParam('Action')],
    body: { schema: SCHEMA_IDS.decisionRequest, required: true },
    responses: [{ status: 200, description: 'The rejected action.', schema: R.action }],
    errors: [
      notFound('action'),
      { status: 409, description: '`already_decided` (the first decision wins) or `approval_expired`.' },
    ],
  },
  revertAction: {
    tag: 'actions',
    summary: "Undo a succeeded action through its strategy's inverse",
    description:
      'Creates a revert action (`revertOf`), runs it to its end and returns it (its status says whether the inverse worked). No cooldown, budget or pause applies to it.',
    parameters: [idParam('Action')],
    responses: [{ status: 200, description: 'The revert action, finished.', schema: R.action }],
    errors: [
      notFound('action'),
      {
        status: 409,
        description: 'Cannot be reverted, with a code naming why: `no_inverse` (service_restart, alert_only), `not_succeeded`, `is_a_revert`, `already_reverted` (with revertId).',
      },
    ],
  },
  listSnapshots: {
    tag: 'snapshots',
    summary: 'Stored snapshots, newest first by the time they were received',
    description: 'Paged like the action history (`nextCursor`). Retention (`snapshots.retention`) bounds what is kept.',
    parameters: [
      { name: 'source', in: 'query', description: 'Only this source.', schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' } },
      { name: 'from', in: 'query', description: 'Received at or after (ISO 8601).', schema: { type: 'string', format: 'date-time' } },
      { name: 'to', in: 'query', description: 'Received at or before (ISO 8601).', schema: { type: 'string', format: 'date-time' } },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: SNAPSHOT_SCHEMA_IDS.snapshotPage }],
  },
  listSnapshotSources: {
    tag: 'snapshots',
    summary: 'Every source with stored snapshots: its newest snapshot and how many are kept',
    responses: [{ status: 200, description: 'The sources, by name (at most 500).', schema: SNAPSHOT_SCHEMA_IDS.snapshotSources }],
  },
  getSnapshot: {
    tag: 'snapshots',
    summary: 'One stored snapshot',
    parameters: [idParam('Snapshot')],
    responses: [{ status: 200, description: 'The snapshot.', schema: SNAPSHOT_SCHEMA_IDS.storedSnapshot }],
    errors: [notFound('snapshot (or removed by retention)')],
  },
  getSeries: {
    tag: 'snapshots',
    summary: 'One numeric fact of one source over time, downsampled to at most 1,000 points',
    description:
      'Reads the source\'s snapshots received in [from, to] by the (source, receivedAt) index; snapshots where the fact is missing or not a number are skipped. The span is cut into buckets of `step` from `from` (widened so there are at most 499), and each bucket gives its lowest and its highest point at their own times, the newest sample last: a spike is never averaged away.',
    parameters: [
      { name: 'source', in: 'query', required: true, description: 'The source.', schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,128}$' } },
      {
        name: 'fact',
        in: 'query',
        required: true,
        description: 'Dotted path into the metrics: `errorRate`, `ollama.avgResponseTimeMs` (keys of letters, digits, `_`, `-`; at most 10).',
        schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}(\\.[A-Za-z0-9_-]{1,100}){0,9}$' },
      },
      { name: 'from', in: 'query', description: 'Received at or after (ISO 8601); default `to` minus 24 h.', schema: { type: 'string', format: 'date-time' } },
      { name: 'to', in: 'query', description: 'Received at or before (ISO 8601); default now.', schema: { type: 'string', format: 'date-time' } },
      { name: 'step', in: 'query', description: 'Bucket width: `500ms`, `30s`, `5m`, `1h`, `1d`, or a bare number of seconds.', schema: { type: 'string', pattern: '^\\d{1,9}(ms|s|m|h|d)?$' } },
    ],
    responses: [{ status: 200, description: 'The series.', schema: SNAPSHOT_SCHEMA_IDS.series }],
  },
  getStats: {
    tag: 'automation',
    summary: 'Per rule and action type: dispatched, executed, outcomes, reverts, shadowed, effective rate, median recovery and approval wait',
    parameters: [
      { name: 'window', in: 'query', description: 'Actions created in the last 24h (default), 7d or 30d.', schema: { enum: ['24h', '7d', '30d'] } },
    ],
    responses: [{ status: 200, description: 'The statistics.', schema: CL.stats }],
  },
  listSources: {
    tag: 'sources',
    summary: 'Pull sources (Prometheus queries): last run, duration, per-query errors, next run, last snapshots',
    responses: [{ status: 200, description: 'The sources as this instance sees them.', schema: SOURCE_SCHEMA_IDS.sourcesOverview }],
  },
  listPrompts: {
    tag: 'prompts',
    summary: 'Registered prompts',
    responses: [{ status: 200, description: 'Summaries.', schema: R.promptList }],
  },
  getPrompt: {
    tag: 'prompts',
    summary: 'A prompt with all its versions',
    parameters: [promptNameParam],
    responses: [{ status: 200, description: 'The prompt.', schema: R.prompt }],
    errors: [notFound('prompt')],
  },
  getActivePrompt: {
    tag: 'prompts',
    summary: 'The active version of a prompt',
    parameters: [promptNameParam],
    responses: [{ status: 200, description: 'The active version.', schema: R.activePrompt }],
    errors: [notFound('prompt'), { status: 409, description: '`no_active_version`.' }],
  },
  addPromptVersion: {
    tag: 'prompts',
    summary: 'Register a new version (creates the prompt on its first version)',
    parameters: [promptNameParam],
    body: { schema: PROMPT_SCHEMA_IDS.versionRequest, required: true },
    responses: [{ status: 201, description: 'Added.', schema: R.promptVersionCreated }],
    errors: [{ status: 409, description: '`version_limit` or `concurrent_update`.' }],
  },
  listAlerts: {
    tag: 'alerts',
    summary: 'Alerts, newest first',
    parameters: [
      ruleFilter,
      { name: 'severity', in: 'query', description: 'Only this severity.', schema: { enum: [...SEVERITIES] } },
      { name: 'acknowledged', in: 'query', description: 'Only (un)acknowledged ones.', schema: { enum: ['true', 'false'] } },
      ...pageParams,
    ],
    responses: [{ status: 200, description: 'One page.', schema: R.alertPage }],
  },
  getAlert: {
    tag: 'alerts',
    summary: 'One alert',
    parameters: [idParam('Alert')],
    responses: [{ status: 200, description: 'The alert.', schema: R.alert }],
    errors: [notFound('alert')],
  },
  acknowledgeAlert: {
    tag: 'alerts',
    summary: 'Acknowledge an alert (once)',
    parameters: [idParam('Alert')],
    body: { schema: ALERT_SCHEMA_IDS.ackRequest, required: true },
    responses: [{ status: 200, description: 'The acknowledged alert.', schema: R.alert }],
    errors: [notFound('alert'), { status: 409, description: '`already_acknowledged` (`acknowledgedBy`, `acknowledgedAt`).' }],
  },
  listNotifications: {
    tag: 'notifications',
    summary: 'Outbound events (n8n webhook outbox) and their delivery state',
    parameters: [
      { name: 'status', in: 'query', description: 'Comma-separated: pending, delivered, failed.', schema: { type: 'string', pattern: '^(pending|delivered|failed)(,(pending|delivered|failed))*$' } },
      { name: 'type', in: 'query', description: 'Only this event type.', schema: { type: 'string' } },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: R.notificationPage }],
  },
  n8nWebhook: {
    tag: 'notifications',
    summary: 'Inbound n8n webhook: a snapshot or an approval decision',
    description: 'Authenticated by an HMAC-SHA256 signature of the raw body (`X-Signature`) or a token, not by API keys; see docs/n8n.',
    parameters: [
      { name: 'wait', in: 'query', description: 'For a snapshot: `true` waits for executed actions to finish.', schema: { enum: ['true', 'false'] } },
      { name: 'decisions', in: 'query', description: 'For a snapshot: `acted` lists only decisions that did something (no `cooldown` or `duplicate_pending` entries; `counts` still counts them); `all` (default): every decision.', schema: { enum: ['all', 'acted'] } },
      { name: 'X-Signature', in: 'header', description: 'HMAC-SHA256 of the raw body with the shared secret.', schema: { type: 'string' } },
    ],
    body: { schema: [WEBHOOK_SCHEMA_IDS.snapshot, WEBHOOK_SCHEMA_IDS.approval], required: true },
    responses: [{ status: 200, description: 'Snapshot: the ingest result. Approval: the action.', schema: [R.ingestResult, R.action] }],
    errors: [
      { status: 401, description: 'Missing or bad signature or token, or a replayed request.' },
      notFound('action'),
      { status: 409, description: '`already_decided` or `approval_expired`.' },
      { status: 429, description: 'Too many snapshots; see Retry-After.' },
    ],
  },
  alertmanagerWebhook: {
    tag: 'prometheus',
    summary: 'Alertmanager webhook (payload version 4): alerts become snapshots, one per source',
    description:
      'The source is the value of the label `prometheus.alertmanager.sourceLabel` (default `job`), else `prometheus.alertmanager.defaultSource`. ' +
      'The fact `alerts` maps each alert name to `{ firing, severity, labels, annotations, startsAt, endsAt, count }`; resolved alerts arrive as `firing: false`. ' +
      'Each snapshot goes through the same ingest as POST /api/metrics. See docs/prometheus.md.',
    parameters: [
      { name: 'wait', in: 'query', description: '`true`: wait for executed actions to finish and report their final status.', schema: { enum: ['true', 'false'] } },
      { name: 'decisions', in: 'query', description: '`acted`: list only decisions that did something, leaving out `cooldown` and `duplicate_pending` ones (`counts` still counts them); `all` (default): every decision.', schema: { enum: ['all', 'acted'] } },
    ],
    body: { schema: ALERTMANAGER_SCHEMA_IDS.webhook, required: true },
    responses: [{ status: 200, description: 'One ingest result per source.', schema: ALERTMANAGER_SCHEMA_IDS.result }],
    errors: [{ status: 429, description: 'Too many snapshots; see Retry-After.' }],
  },
  prometheusMetrics: {
    tag: 'prometheus',
    summary: 'Prometheus metrics of this instance (text exposition format 0.0.4)',
    description:
      'Process metrics and the self_healing_* metrics listed in docs/prometheus.md. Gauges of shared state (approvals and outbox pending, failover, throttle) are read from the store, so every instance reports the same.',
    responses: [{ status: 200, description: 'The exposition.', schema: [], contentType: 'text/plain' }],
  },
  ...CONSOLE_DESCRIPTIONS,
} satisfies Record<RouteId, OperationDoc>;

/** Every route the app serves, in the order of the descriptions, with method and path from the route table. */
export const OPERATIONS: readonly OperationSpec[] = (Object.keys(DESCRIPTIONS) as RouteId[]).map((id) => ({
  method: ROUTES[id].method.toLowerCase() as Method,
  path: ROUTES[id].path,
  operationId: id,
  ...(DESCRIPTIONS[id] as OperationDoc),
}));
