import { Router } from 'express';
import type { ActionRecord } from '../src/domain/action';
import { ValidationError } from '../src/errors';
import { rawBodyOf } from '../src/http/raw-body';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import { parseBody } from '../src/http/validate';
import { WEBHOOK_SCHEMA_IDS, webhookApprovalSchema, webhookSnapshotSchema } from '../src/schemas/webhook-schemas';
import type { AppConfig } from '../src/config/schema';
import type { NotificationService } from '../src/notifications/notification-service';
import type { ApprovalService } from '../src/approvals/approvals';
import type { RemediationService } from '../src/pipeline/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { notFound } from '../src/http/route-parameters';
import { actionSchema } from '../src/schemas/action-schemas';
import { ingestResultSchema } from '../src/schemas/ingest-schemas';

export const WEBHOOK_ROUTES = declareRoutes({
  n8nWebhook: {
    method: 'POST',
    path: '/api/webhooks/n8n',
    access: 'webhook',
    tag: 'notifications',
    summary: 'Inbound n8n webhook: a snapshot or an approval decision',
    description: 'Authenticated by an HMAC-SHA256 signature of the raw body (`X-Signature`) or a token, not by API keys; see docs/n8n.',
    parameters: [
      { name: 'wait', in: 'query', description: 'For a snapshot: `true` waits for executed actions to finish.', schema: { enum: ['true', 'false'] } },
      { name: 'decisions', in: 'query', description: 'For a snapshot: `acted` lists only decisions that did something (no `cooldown` or `duplicate_pending` entries; `counts` still counts them); `all` (default): every decision.', schema: { enum: ['all', 'acted'], default: 'all' } },
      { name: 'X-Signature', in: 'header', description: 'HMAC-SHA256 of the raw body with the shared secret.', schema: { type: 'string' } },
    ],
    body: { schema: [webhookSnapshotSchema, webhookApprovalSchema], required: true },
    responses: [{ status: 200, description: 'Snapshot: the ingest result. Approval: the action.', schema: [ingestResultSchema, actionSchema] }],
    errors: [
      { status: 401, description: 'Missing or bad signature or token, or a replayed request.' },
      notFound('action'),
      { status: 409, description: '`already_decided` or `approval_expired`.' },
      { status: 429, description: 'Too many snapshots; see Retry-After.' },
    ],
    ingestLimited: true,
  },
});

interface ApprovalMessage {
  type: 'approval';
  actionId: string;
  decision: 'approve' | 'reject';
  by: string;
  comment?: string;
}

/** The inbound n8n webhook: snapshots and approval decisions, authenticated before anything is read. */
export interface WebhooksRouterDeps {
  notifications: Pick<NotificationService, 'inbound'>;
  remediation: Pick<RemediationService, 'ingest'>;
  approvals: Pick<ApprovalService, 'approve' | 'reject'>;
  schemas: SchemaRegistry;
  config: Pick<AppConfig, 'actions'>;
}

export function createWebhooksRouter({ notifications, remediation, approvals, schemas, config }: WebhooksRouterDeps): Router {
  const router = Router();

  mount(router, WEBHOOK_ROUTES.n8nWebhook, async (req, res) => {
    await notifications.inbound.admit({
      rawBody: rawBodyOf(req),
      signature: req.get('x-signature'),
      authorization: req.get('authorization'),
      requestId: req.get('x-request-id'),
    });
    const query = readQuery(WEBHOOK_ROUTES.n8nWebhook, req);
    const body: unknown = req.body;
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    if (type === 'snapshot') {
      parseBody(schemas, WEBHOOK_SCHEMA_IDS.snapshot, body, 'webhook message');
      const snapshot = parseSnapshot(schemas, (body as { snapshot: unknown }).snapshot, '/snapshot');
      const wait = query.wait || config.actions.waitForOutcome;
      const decisions = query.decisions;
      res.json(await remediation.ingest(snapshot, { requestedBy: 'webhook:n8n', waitForOutcome: wait, decisions }));
      return;
    }
    if (type === 'approval') {
      const msg = parseBody<ApprovalMessage>(schemas, WEBHOOK_SCHEMA_IDS.approval, body, 'webhook message');
      const input = { by: msg.by, ...(msg.comment !== undefined ? { comment: msg.comment } : {}) };
      const action: ActionRecord =
        msg.decision === 'approve'
          ? await approvals.approve(msg.actionId, input)
          : await approvals.reject(msg.actionId, input);
      res.json(action);
      return;
    }
    throw new ValidationError(body === undefined ? 'a JSON body is required (Content-Type: application/json)' : 'unknown webhook message type', [
      { pointer: '/type', message: 'must be "snapshot" or "approval"' },
    ]);
  });

  return router;
}
