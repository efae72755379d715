import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import type { AppConfig } from '../src/config/schema';
import type { RemediationService } from '../src/remediation/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';

export interface MetricsRouterDeps {
  remediation: Pick<RemediationService, 'ingest'>;
  schemas: SchemaRegistry;
  config: Pick<AppConfig, 'actions'>;
}

export function createMetricsRouter({ remediation, schemas, config }: MetricsRouterDeps): Router {
  const router = Router();

  handle(router, 'ingestSnapshot', async (req, res) => {
    const snapshot = parseSnapshot(schemas, req.body);
    const wait = req.query.wait === 'true' || config.actions.waitForOutcome;
    const result = await remediation.ingest(snapshot, {
      requestedBy: `ingest:${snapshot.source}`,
      waitForOutcome: wait,
    });
    res.json(result);
  });

  return router;
}
