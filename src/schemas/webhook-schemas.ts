import { UUID_PATTERN } from '../domain/identifiers';
import { SCHEMA_BASE } from './shared-schemas';

/** POST /api/webhooks/n8n, `type: "approval"`: a person's decision relayed by n8n. */
export const webhookApprovalSchema = {
  $id: `${SCHEMA_BASE}/webhook-approval.json`,
  type: 'object',
  additionalProperties: false,
  required: ['type', 'actionId', 'decision', 'by'],
  properties: {
    type: { const: 'approval' },
    actionId: { type: 'string', pattern: UUID_PATTERN.source },
    decision: { type: 'string', enum: ['approve', 'reject'] },
    by: { type: 'string', minLength: 1, maxLength: 200 },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;

/** POST /api/webhooks/n8n, `type: "snapshot"`: the envelope; the snapshot itself is checked as on /api/metrics. */
export const webhookSnapshotSchema = {
  $id: `${SCHEMA_BASE}/webhook-snapshot.json`,
  type: 'object',
  additionalProperties: false,
  required: ['type', 'snapshot'],
  properties: {
    type: { const: 'snapshot' },
    snapshot: {},
  },
} as const;

export const WEBHOOK_SCHEMA_IDS = {
  approval: webhookApprovalSchema.$id,
  snapshot: webhookSnapshotSchema.$id,
} as const;

export const webhookSchemas = [webhookApprovalSchema, webhookSnapshotSchema];
