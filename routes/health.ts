import { Router } from 'express';
import { handle } from '../src/http/route-table';
import type { HealthChecks } from '../src/health/health-checks';

export function createHealthRouter({ health }: { health: Pick<HealthChecks, 'instance' | 'readiness'> }): Router {
  const router = Router();

  // Liveness: the process answers. Nothing else is checked, so PM2 or an orchestrator never kills
  // the service for a slow database.
  handle(router, 'getHealth', (_req, res) => {
    res.json({
      status: 'ok',
      uptimeSeconds: Math.round(process.uptime()),
      instance: health.instance(),
    });
  });

  // Readiness: the store answers and rules are in force.
  handle(router, 'getReadiness', async (_req, res) => {
    const { ready, checks } = await health.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return router;
}
