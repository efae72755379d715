import { Router } from 'express';
import { handle } from '../src/http/route-table';
import type { EngineMetrics } from '../src/metrics/engine-metrics';

/** GET /metrics: the Prometheus text exposition (docs/prometheus.md). */
export function createPrometheusRouter(services: { metrics: Pick<EngineMetrics, 'render' | 'contentType'> }): Router {
  const router = Router();

  handle(router, 'prometheusMetrics', async (_req, res) => {
    const body = await services.metrics.render();
    res.set('Content-Type', services.metrics.contentType).set('Cache-Control', 'no-store').send(body);
  });

  return router;
}
