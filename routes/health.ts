import { Router } from 'express';
import { declareRoutes, mount } from '../src/http/route-declaration';
import type { HealthChecks } from '../src/health/health-checks';
import { healthSchema, readinessSchema } from '../src/schemas/health-schemas';

export const HEALTH_ROUTES = declareRoutes({
  getHealth: {
    method: 'GET',
    path: '/api/health',
    access: 'public',
    tag: 'health',
    summary: 'Liveness: the process answers',
    responses: [{ status: 200, description: 'Alive.', schema: healthSchema }],
  },
  getReadiness: {
    method: 'GET',
    path: '/api/ready',
    access: 'public',
    tag: 'health',
    summary: 'Readiness: the store answers and rules are in force',
    responses: [
      { status: 200, description: 'Ready.', schema: readinessSchema },
      { status: 503, description: 'Not ready (same body, `status: not_ready`).', schema: readinessSchema },
    ],
  },
});

export function createHealthRouter({ health }: { health: Pick<HealthChecks, 'instance' | 'readiness'> }): Router {
  const router = Router();

  // Liveness: the process answers. Nothing else is checked, so PM2 or an orchestrator never kills
  // the service for a slow database.
  mount(router, HEALTH_ROUTES.getHealth, (_req, res) => {
    res.json({
      status: 'ok',
      uptimeSeconds: Math.round(process.uptime()),
      instance: health.instance(),
    });
  });

  // Readiness: the store answers and rules are in force.
  mount(router, HEALTH_ROUTES.getReadiness, async (_req, res) => {
    const { ready, checks } = await health.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return router;
}
