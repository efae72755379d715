import { Router } from 'express';
import { parseSnapshot } from '../src/http/snapshot-input';
import type { Services } from '../src/services/create-services';

export function createMetricsRouter(services: Services): Router {
  const router = Router();

  router.post('/api/metrics', async (req, res) => {
    const snapshot = parseSnapshot(services.schemas, req.body);
    const wait = req.query.wait === 'true' || services.config.actions.waitForOutcome;
    const result = await services.remediation.ingest(snapshot, {
      requestedBy: `ingest:${snapshot.source}`,
      waitForOutcome: wait,
    });
    res.json(result);
  });

  return router;
}
