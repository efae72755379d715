import { Router } from 'express';
import { STATS_WINDOWS, type StatsService, type StatsWindow } from '../src/history/stats';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { statsSchema } from '../src/schemas/closed-loop-schemas';

export const STATS_ROUTES = declareRoutes({
  getStats: {
    method: 'GET',
    path: '/api/self-healing/stats',
    access: 'viewer',
    tag: 'automation',
    summary: 'Per rule and action type: dispatched, executed, outcomes, reverts, shadowed, effective rate, median recovery and approval wait',
    parameters: [
      { name: 'window', in: 'query', description: 'Actions created in the last 24h (default), 7d or 30d.', schema: { enum: Object.keys(STATS_WINDOWS) as StatsWindow[], default: '24h' } },
    ],
    responses: [{ status: 200, description: 'The statistics.', schema: statsSchema }],
  },
});


/** Per rule and strategy: how often it fired, ran, helped, and how fast things recovered. */
export function createStatsRouter(services: { stats: Pick<StatsService, 'compute'> }): Router {
  const router = Router();

  mount(router, STATS_ROUTES.getStats, async (req, res) => {
    const { window } = readQuery(STATS_ROUTES.getStats, req);
    res.json(await services.stats.compute(window));
  });

  return router;
}
