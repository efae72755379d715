import { Router } from 'express';
import { parseBody } from '../src/http/validate';
import { parseSnapshot } from '../src/http/snapshot-input';
import type { Snapshot } from '../src/domain/snapshot';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { Services } from '../src/services/create-services';

export function createSimulateRouter(services: Services): Router {
  const router = Router();

  // Body: { snapshot }, { ruleName, snapshot } or { ruleName } (the legacy form n8n workflows send).
  router.post('/api/self-healing/simulate', async (req, res) => {
    const body = parseBody<{ ruleName?: string; snapshot?: Snapshot }>(
      services.schemas,
      SCHEMA_IDS.simulateRequest,
      req.body,
    );
    const snapshot = body.snapshot === undefined ? undefined : parseSnapshot(services.schemas, body.snapshot, '/snapshot');
    const input: { ruleName?: string; snapshot?: Snapshot } = {};
    if (body.ruleName !== undefined) input.ruleName = body.ruleName;
    if (snapshot !== undefined) input.snapshot = snapshot;
    res.json({ dryRun: true, ...(await services.remediation.simulate(input)) });
  });

  return router;
}
