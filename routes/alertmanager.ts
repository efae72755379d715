import { Router } from 'express';
import { type AlertmanagerPayload, alertmanagerSnapshots } from '../src/integrations/alertmanager-snapshots';
import { parseSnapshot } from '../src/http/snapshot-input';
import { parseBody } from '../src/http/validate';
import { ALERTMANAGER_SCHEMA_IDS } from '../src/schemas/alertmanager-schemas';
import type { Services } from '../src/services/create-services';

/** POST /api/webhooks/alertmanager: Alertmanager's alerts as snapshots, one per source (docs/prometheus.md). */
export function createAlertmanagerRouter(services: Pick<Services, 'schemas' | 'config' | 'clock' | 'remediation'>): Router {
  const router = Router();

  router.post('/api/webhooks/alertmanager', async (req, res) => {
    const payload = parseBody<AlertmanagerPayload>(services.schemas, ALERTMANAGER_SCHEMA_IDS.webhook, req.body, 'Alertmanager webhook payload');
    const snapshots = alertmanagerSnapshots(payload, services.config.prometheus.alertmanager, services.clock.now());
    // Checked as on /api/metrics before any is ingested, so a bad payload changes nothing.
    for (const s of snapshots) parseSnapshot(services.schemas, s);
    const wait = req.query.wait === 'true' || services.config.actions.waitForOutcome;
    const results = [];
    for (const snapshot of snapshots) {
      const result = await services.remediation.ingest(snapshot, { requestedBy: `alertmanager:${snapshot.source}`, waitForOutcome: wait });
      results.push({ source: snapshot.source, alerts: Object.keys(snapshot.metrics.alerts as object), ...result });
    }
    res.json({ snapshots: results });
  });

  return router;
}
