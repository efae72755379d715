import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { actorName } from '../src/http/access-control';
import { QueryReader } from '../src/http/query';
import type { ThrottleService } from '../src/targets/throttle-service';

/** The throttle the apps' rate limiters poll, and the operator's way to lift it at once. */
export function createThrottleRouter({ throttle }: { throttle: Pick<ThrottleService, 'getState' | 'restore'> }): Router {
  const router = Router();

  handle(router, 'getThrottle', async (req, res) => {
    new QueryReader(req, []).done();
    res.json(await throttle.getState());
  });

  handle(router, 'restoreThrottle', async (req, res) => {
    const query = new QueryReader(req, ['by', 'reason']);
    const by = query.string('by') ?? 'api';
    const reason = query.string('reason', undefined, 500);
    query.done();
    const outcome = await throttle.restore({ by: actorName(res, by), reason });
    res.json({ ...outcome.to, restored: outcome.changed });
  });

  return router;
}
