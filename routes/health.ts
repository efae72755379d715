import { Router } from 'express';
import type { Services } from '../src/services/create-services';

export function createHealthRouter(services: Services): Router {
  const router = Router();

  // Liveness: the process answers. Nothing else is checked, so PM2 or an orchestrator never kills
  // the service for a slow database.
  router.get('/api/health', (_req, res) => {
    res.json({
      status: 'ok',
      uptimeSeconds: Math.round(process.uptime()),
      // Which instance answered, and whether it is the one running the periodic work (docs/operations.md).
      instance: { id: services.instanceId, periodicWork: services.sweeps.holdsLease },
    });
  });

  // Readiness: the store answers and rules are in force.
  router.get('/api/ready', async (_req, res) => {
    const storeOk = await services.store.ping();
    const rulesOk = services.rules.isLoaded();
    const ready = storeOk && rulesOk;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: {
        store: { ok: storeOk, kind: services.store.kind },
        rules: rulesOk
          ? { ok: true, ...services.rules.status(), count: services.rules.current().rules.length }
          : { ok: false },
      },
    });
  });

  return router;
}
