import { Router } from 'express';
import { QueryReader } from '../src/http/query';
import { handle } from '../src/http/route-table';
import { STATS_WINDOWS, type StatsService, type StatsWindow } from '../src/remediation/stats';

const WINDOWS = Object.keys(STATS_WINDOWS) as StatsWindow[];

/** Per rule and strategy: how often it fired, ran, helped, and how fast things recovered. */
export function createStatsRouter(services: { stats: Pick<StatsService, 'compute'> }): Router {
  const router = Router();

  handle(router, 'getStats', async (req, res) => {
    const q = new QueryReader(req, ['window']);
    const window = q.oneOf('window', WINDOWS) ?? '24h';
    q.done();
    res.json(await services.stats.compute(window));
  });

  return router;
}
