import { Router } from 'express';
import { parseBody } from '../src/http/validate';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import type { Snapshot } from '../src/domain/snapshot';
import { SCHEMA_IDS, type SchemaRegistry } from '../src/schemas/registry';
import type { RemediationService } from '../src/pipeline/remediation-service';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { notFound } from '../src/http/route-parameters';
import { simulateResultSchema } from '../src/schemas/simulate-schemas';

export const SIMULATE_ROUTES = declareRoutes({
  simulate: {
    method: 'POST',
    path: '/api/self-healing/simulate',
    access: 'operator',
    tag: 'remediation',
    summary: 'Dry run: the decisions ingest would take; changes nothing',
    description: 'Body: `{ snapshot }`, `{ ruleName, snapshot }` or `{ ruleName }` (the legacy form: the rule is treated as matched).',
    body: { schema: SCHEMA_IDS.simulateRequest, required: true },
    responses: [{ status: 200, description: 'The decisions, and why.', schema: simulateResultSchema }],
    errors: [notFound('rule (ruleName)')],
  },
});

export interface SimulateRouterDeps {
  remediation: Pick<RemediationService, 'simulate'>;
  schemas: SchemaRegistry;
}

export function createSimulateRouter({ remediation, schemas }: SimulateRouterDeps): Router {
  const router = Router();

  // Body: { snapshot }, { ruleName, snapshot } or { ruleName } (the legacy form n8n workflows send).
  mount(router, SIMULATE_ROUTES.simulate, async (req, res) => {
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
