import { Router } from 'express';
import { QueryReader } from '../src/http/query';
import { STATS_WINDOWS, type StatsWindow } from '../src/remediation/stats';
import type { Services } from '../src/services/create-services';

const WINDOWS = Object.keys(STATS_WINDOWS) as StatsWindow[];

/** Per rule and strategy: how often it fired, ran, helped, and how fast things recovered. */
export function createStatsRouter(services: Pick<Services, 'stats'>): Router {
  const router = Router();

  router.get('/api/self-healing/stats', async (req, res) => {
    const q = new QueryReader(req, ['window']);
    const window = q.oneOf('window', WINDOWS) ?? '24h';
    q.done();
    res.json(await services.stats.compute(window));
  });

  return router;
}
