import { Router } from 'express';
import type { AppConfig } from '../src/config/schema';
import { type AlertmanagerPayload, alertmanagerSnapshots } from '../src/remediation/alertmanager-snapshots';
import type { RemediationService } from '../src/remediation/remediation-service';
import { ALERTMANAGER_SCHEMA_IDS } from '../src/schemas/alertmanager-schemas';
import type { SchemaRegistry } from '../src/schemas/registry';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import { readIngestQuery } from '../src/http/query';
import { handle } from '../src/http/route-table';
import { parseBody } from '../src/http/validate';

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

  handle(router, 'alertmanagerWebhook', async (req, res) => {
    const query = readIngestQuery(req);
    const payload = parseBody<AlertmanagerPayload>(schemas, ALERTMANAGER_SCHEMA_IDS.webhook, req.body, 'Alertmanager webhook payload');
    const snapshots = alertmanagerSnapshots(payload, config.prometheus.alertmanager, clock.now());
    // Checked as on /api/metrics before any is ingested, so a bad payload changes nothing.
    for (const s of snapshots) parseSnapshot(schemas, s);
    const wait = query.wait || config.actions.waitForOutcome;
    const decisions = query.decisions;
    const results = [];
    for (const snapshot of snapshots) {
      const result = await remediation.ingest(snapshot, { requestedBy: `alertmanager:${snapshot.source}`, waitForOutcome: wait, decisions });
      results.push({ source: snapshot.source, alerts: Object.keys(snapshot.metrics.alerts as object), ...result });
    }
    res.json({ snapshots: results });
  });

  return router;
}
