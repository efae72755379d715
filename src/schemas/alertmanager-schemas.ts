import { SCHEMA_BASE, REPLY_BASE as R, boundedDateTime, uuid } from './shared-schemas';

const labelSet = (maxValue: number) =>
  ({
    type: 'object',
    maxProperties: 100,
    // Any non-empty name: Prometheus 3 allows UTF-8 label names, and refusing one would lose the alert.
    propertyNames: { minLength: 1, maxLength: 200 },
    additionalProperties: { type: 'string', maxLength: maxValue },
  }) as const;

/**
 * POST /api/webhooks/alertmanager: Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Fields this service
 * does not read are allowed through, so a newer Alertmanager that adds some is not refused.
 */
export const alertmanagerWebhookSchema = {
  $id: `${SCHEMA_BASE}/alertmanager-webhook.json`,
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { const: '4' },
    status: { enum: ['firing', 'resolved'] },
    receiver: { type: 'string', maxLength: 1000 },
    groupKey: { type: 'string', maxLength: 10_000 },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    groupLabels: labelSet(1024),
    commonLabels: labelSet(1024),
    commonAnnotations: labelSet(10_000),
    externalURL: { type: 'string', maxLength: 2000 },
    alerts: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt'],
        properties: {
          status: { enum: ['firing', 'resolved'] },
          labels: { ...labelSet(1024), required: ['alertname'], properties: { alertname: { type: 'string', minLength: 1, maxLength: 200 } } },
          annotations: labelSet(10_000),
          startsAt: boundedDateTime,
          endsAt: boundedDateTime,
          generatorURL: { type: 'string', maxLength: 2000 },
          fingerprint: { type: 'string', maxLength: 200 },
        },
      },
    },
  },
} as const;


export const alertmanagerResultSchema = {
  $id: `${R}/alertmanager-result.json`,
  title: 'AlertmanagerResult',
  description: 'One ingest per source the alerts came from, in the order the sources first appear in the payload.',
  type: 'object',
  additionalProperties: false,
  required: ['snapshots'],
  properties: {
    snapshots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'alerts', 'snapshotId', 'rulesVersion', 'decisions', 'counts'],
        properties: {
          source: { type: 'string' },
          alerts: { type: 'array', items: { type: 'string' }, description: 'The alert names in this snapshot\'s `alerts` fact.' },
          snapshotId: uuid,
          rulesVersion: { type: 'string' },
          decisions: { type: 'array', items: { $ref: `${R}/applied-decision.json` } },
          counts: { $ref: `${R}/decision-counts.json` },
        },
      },
    },
  },
} as const;

export const ALERTMANAGER_SCHEMA_IDS = {
  webhook: alertmanagerWebhookSchema.$id,
  result: alertmanagerResultSchema.$id,
} as const;

export const alertmanagerSchemas = [alertmanagerWebhookSchema, alertmanagerResultSchema];
