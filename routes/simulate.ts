import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { parseBody } from '../src/http/validate';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import type { Snapshot } from '../src/domain/snapshot';
import { SCHEMA_IDS, type SchemaRegistry } from '../src/schemas/registry';
import type { RemediationService } from '../src/remediation/remediation-service';

export interface SimulateRouterDeps {
  remediation: Pick<RemediationService, 'simulate'>;
  schemas: SchemaRegistry;
}

export function createSimulateRouter({ remediation, schemas }: SimulateRouterDeps): Router {
  const router = Router();

  // Body: { snapshot }, { ruleName, snapshot } or { ruleName } (the legacy form n8n workflows send).
  handle(router, 'simulate', async (req, res) => {
    const body = parseBody<{ ruleName?: string; snapshot?: Snapshot }>(
      schemas,
      SCHEMA_IDS.simulateRequest,
      req.body,
    );
    const snapshot = body.snapshot === undefined ? undefined : parseSnapshot(schemas, body.snapshot, '/snapshot');
    const input: { ruleName?: string; snapshot?: Snapshot } = {};
    if (body.ruleName !== undefined) input.ruleName = body.ruleName;
    if (snapshot !== undefined) input.snapshot = snapshot;
    res.json({ dryRun: true, ...(await remediation.simulate(input)) });
  });

  return router;
}
