import { Router } from 'express';
import type { EngineMetrics } from '../src/metrics/engine-metrics';
import { declareRoutes, mount } from '../src/http/route-declaration';

export const PROMETHEUS_ROUTES = declareRoutes({
  prometheusMetrics: {
    method: 'GET',
    path: '/metrics',
    access: 'viewer',
    tag: 'prometheus',
    summary: 'Prometheus metrics of this instance (text exposition format 0.0.4)',
    description:
      'Process metrics and the self_healing_* metrics listed in docs/prometheus.md. Gauges of shared state (approvals and outbox pending, failover, throttle) are read from the store, so every instance reports the same.',
    responses: [{ status: 200, description: 'The exposition.', schema: [], contentType: 'text/plain' }],
  },
});

/** GET /metrics: the Prometheus text exposition (docs/prometheus.md). */
export function createPrometheusRouter(services: { metrics: Pick<EngineMetrics, 'render' | 'contentType'> }): Router {
  const router = Router();

  mount(router, PROMETHEUS_ROUTES.prometheusMetrics, async (_req, res) => {
    const body = await services.metrics.render();
    res.set('Content-Type', services.metrics.contentType).set('Cache-Control', 'no-store').send(body);
  });

  return router;
}
