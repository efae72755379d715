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
