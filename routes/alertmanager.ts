import { Router } from 'express';
import type { AppConfig } from '../src/config/schema';
import { type AlertmanagerPayload, alertmanagerSnapshots } from '../src/pipeline/alertmanager-snapshots';
import type { RemediationService } from '../src/pipeline/remediation-service';
import { ALERTMANAGER_SCHEMA_IDS, alertmanagerResultSchema, alertmanagerWebhookSchema } from '../src/schemas/alertmanager-schemas';
import type { SchemaRegistry } from '../src/schemas/registry';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import { parseBody } from '../src/http/validate';
import { ingestQueryParams } from '../src/http/route-parameters';
import { declareRoutes, mount, readQuery, type ReplyOf } from '../src/http/route-declaration';

export const ALERTMANAGER_ROUTES = declareRoutes({
  alertmanagerWebhook: {
    method: 'POST',
    path: '/api/webhooks/alertmanager',
    access: 'operator',
    tag: 'prometheus',
    summary: 'Alertmanager webhook (payload version 4): alerts become snapshots, one per source',
    description:
      'The source is the value of the label `prometheus.alertmanager.sourceLabel` (default `job`), else `prometheus.alertmanager.defaultSource`. ' +
      'The fact `alerts` maps each alert name to `{ firing, severity, labels, annotations, startsAt, endsAt, count }`; resolved alerts arrive as `firing: false`. ' +
      'Each snapshot goes through the same ingest as POST /api/metrics. See docs/prometheus.md.',
    parameters: [
      ...ingestQueryParams,
    ],
    body: { schema: alertmanagerWebhookSchema, required: true },
    responses: [{ status: 200, description: 'One ingest result per source.', schema: alertmanagerResultSchema }],
    errors: [{ status: 429, description: 'Too many snapshots; see Retry-After.' }],
    ingestLimited: true,
  },
});

export interface AlertmanagerRouterDeps {
  remediation: Pick<RemediationService, 'ingest'>;
  schemas: SchemaRegistry;
  config: Pick<AppConfig, 'actions' | 'prometheus'>;
  /** Stamps the snapshots (Alertmanager's payload has no time of its own for the group). */
  clock: { now(): Date };
}

/** POST /api/webhooks/alertmanager: Alertmanager's alerts as snapshots, one per source (docs/prometheus.md). */
export function createAlertmanagerRouter({ remediation, schemas, config, clock }: AlertmanagerRouterDeps): Router {
  const router = Router();

  mount(router, ALERTMANAGER_ROUTES.alertmanagerWebhook, async (req, res) => {
    const query = readQuery(ALERTMANAGER_ROUTES.alertmanagerWebhook, req);
    const payload = parseBody<AlertmanagerPayload>(schemas, ALERTMANAGER_SCHEMA_IDS.webhook, req.body, 'Alertmanager webhook payload');
    const snapshots = alertmanagerSnapshots(payload, config.prometheus.alertmanager, clock.now());
    // Checked as on /api/metrics before any is ingested, so a bad payload changes nothing.
    for (const s of snapshots) parseSnapshot(schemas, s);
    const wait = query.wait || config.actions.waitForOutcome;
    const decisions = query.decisions;
    const results: ReplyOf<typeof ALERTMANAGER_ROUTES.alertmanagerWebhook>['snapshots'][number][] = [];
    for (const snapshot of snapshots) {
      const result = await remediation.ingest(snapshot, { requestedBy: `alertmanager:${snapshot.source}`, waitForOutcome: wait, decisions });
      results.push({ source: snapshot.source, alerts: Object.keys(snapshot.metrics.alerts as object), ...result });
    }
    res.json({ snapshots: results });
  });

  return router;
}
