import { Router } from 'express';
import type { ActionRecord } from '../src/domain/action';
import { ValidationError } from '../src/errors';
import { rawBodyOf } from '../src/http/raw-body';
import { parseSnapshot } from '../src/http/snapshot-input';
import { parseBody } from '../src/http/validate';
import { WEBHOOK_SCHEMA_IDS } from '../src/schemas/webhook-schemas';
import type { Services } from '../src/services/create-services';

interface ApprovalMessage {
  type: 'approval';
  actionId: string;
  decision: 'approve' | 'reject';
  by: string;
  comment?: string;
}

/** The inbound n8n webhook: snapshots and approval decisions, authenticated before anything is read. */
export function createWebhooksRouter(services: Services): Router {
  const router = Router();

  router.post('/api/webhooks/n8n', async (req, res) => {
    await services.notifications.inbound.admit({
      rawBody: rawBodyOf(req),
      signature: req.get('x-signature'),
      authorization: req.get('authorization'),
      requestId: req.get('x-request-id'),
    });
    const body: unknown = req.body;
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    if (type === 'snapshot') {
      parseBody(services.schemas, WEBHOOK_SCHEMA_IDS.snapshot, body, 'webhook message');
      const snapshot = parseSnapshot(services.schemas, (body as { snapshot: unknown }).snapshot, '/snapshot');
      const wait = req.query.wait === 'true' || services.config.actions.waitForOutcome;
      res.json(await services.remediation.ingest(snapshot, { requestedBy: 'webhook:n8n', waitForOutcome: wait }));
      return;
    }
    if (type === 'approval') {
      const msg = parseBody<ApprovalMessage>(services.schemas, WEBHOOK_SCHEMA_IDS.approval, body, 'webhook message');
      const input = { by: msg.by, ...(msg.comment !== undefined ? { comment: msg.comment } : {}) };
      const action: ActionRecord =
        msg.decision === 'approve'
          ? await services.approvals.approve(msg.actionId, input)
          : await services.approvals.reject(msg.actionId, input);
      res.json(action);
      return;
    }
    throw new ValidationError(body === undefined ? 'a JSON body is required (Content-Type: application/json)' : 'unknown webhook message type', [
      { pointer: '/type', message: 'must be "snapshot" or "approval"' },
    ]);
  });

  return router;
}
