import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { throttleRestoreResultSchema, throttleStateSchema } from '../src/schemas/throttle-schemas';
import type { ThrottleService } from '../src/targets/throttle-service';

export const THROTTLE_ROUTES = declareRoutes({
  getThrottle: {
    method: 'GET',
    path: '/api/self-healing/throttle',
    access: 'viewer',
    tag: 'throttle',
    summary: 'The request rate the apps should allow now',
    responses: [{ status: 200, description: 'The throttle state.', schema: throttleStateSchema }],
  },
  restoreThrottle: {
    method: 'DELETE',
    path: '/api/self-healing/throttle',
    access: 'admin',
    tag: 'throttle',
    summary: 'Lift the throttle at once',
    parameters: [
      { name: 'by', in: 'query', description: 'Who lifted it (default `api`).', schema: { type: 'string', minLength: 1, maxLength: 200, default: 'api' } },
      { name: 'reason', in: 'query', description: 'Why.', schema: { type: 'string', minLength: 1, maxLength: 500 } },
    ],
    responses: [{ status: 200, description: 'The state now; `restored` says whether anything changed.', schema: throttleRestoreResultSchema }],
    errors: [{ status: 409, description: 'The state kept changing concurrently.' }],
  },
});

/** The throttle the apps' rate limiters poll, and the operator's way to lift it at once. */
export function createThrottleRouter({ throttle }: { throttle: Pick<ThrottleService, 'getState' | 'restore'> }): Router {
  const router = Router();

  mount(router, THROTTLE_ROUTES.getThrottle, async (_req, res) => {
    res.json(await throttle.getState());
  });

  mount(router, THROTTLE_ROUTES.restoreThrottle, async (req, res) => {
    const { by, reason } = readQuery(THROTTLE_ROUTES.restoreThrottle, req);
    const outcome = await throttle.restore({ by: actorName(res, by), reason });
    res.json({ ...outcome.to, restored: outcome.changed });
  });

  return router;
}
