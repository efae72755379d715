import { type Response, Router } from 'express';
import type { FailoverState } from '../src/domain/state';
import { actorName } from '../src/http/access-control';
import { parseBody } from '../src/http/validate';
import { routerResetRequestSchema } from '../src/schemas/router-health-schemas';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { FailoverService } from '../src/targets/failover-service';
import type { FailbackProber } from '../src/targets/failback-probes';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { routerResetResultSchema, routerStateSchema } from '../src/schemas/router-health-schemas';

export const ROUTER_HEALTH_ROUTES = declareRoutes({
  getRouterState: {
    method: 'GET',
    path: '/api/health/router',
    access: 'viewer',
    tag: 'model-failover',
    summary: 'Which model host to use (legacy route, read by n8n and client apps)',
    description:
      'The failover state (the legacy fields), and while failed over the probes of the primary (`probes`, `healthyStreak`) and when an automatic failback is due (`failbackAt`, `failback`).',
    responses: [{ status: 200, description: 'The failover state and the failback; never cached.', schema: routerStateSchema, headers: ['Cache-Control'] }],
  },
  resetRouter: {
    method: 'POST',
    path: '/api/health/router/reset',
    access: 'admin',
    tag: 'model-failover',
    summary: 'Switch back to the primary host after checking its health',
    body: { schema: routerResetRequestSchema.$id, required: false, description: 'Optional; `by` names who reset.' },
    responses: [{ status: 200, description: 'Reset (or already on primary: `changed: false`).', schema: routerResetResultSchema, headers: ['Cache-Control'] }],
    errors: [{ status: 409, description: '`primary_unhealthy`: the primary failed its health check; nothing changed (`checks`, `state`).' }],
  },
});

interface RouterResetRequest {
  by?: string;
}

/**
 * The legacy top-level fields stay exactly as n8n workflows read them; `currentUrl` saves clients
 * from mapping the role to a URL themselves.
 */
function stateBody(state: FailoverState): Record<string, unknown> {
  return {
    current: state.current,
    primary: state.primary,
    secondary: state.secondary,
    failedOver: state.failedOver,
    failoverTimestamp: state.failoverTimestamp,
    reason: state.reason,
    failoverCount: state.failoverCount,
    currentUrl: state.current === 'primary' ? state.primary : state.secondary,
  };
}

function noStore(res: Response): Response {
  // Clients route by this answer: a cached one could send traffic to a host we have left.
  return res.set('Cache-Control', 'no-store');
}

export interface RouterHealthRouterDeps {
  failover: Pick<FailoverService, 'getState' | 'reset'>;
  failbackProbes: Pick<FailbackProber, 'view'>;
  schemas: SchemaRegistry;
}

export function createRouterHealthRouter({ failover, failbackProbes, schemas }: RouterHealthRouterDeps): Router {
  const router = Router();

  mount(router, ROUTER_HEALTH_ROUTES.getRouterState, async (_req, res) => {
    const [state, view] = await Promise.all([failover.getState(), failbackProbes.view()]);
    const { probes, healthyStreak, failbackAt, ...failback } = view;
    noStore(res).json({ ...stateBody(state), probes, healthyStreak, failbackAt, failback });
  });

  mount(router, ROUTER_HEALTH_ROUTES.resetRouter, async (req, res) => {
    const body =
      req.body === undefined
        ? {}
        : parseBody<RouterResetRequest>(schemas, routerResetRequestSchema.$id, req.body);
    const outcome = await failover.reset(actorName(res, body.by ?? 'api'));
    noStore(res).json({
      ...stateBody(outcome.state),
      changed: outcome.changed,
      summary: outcome.summary,
      checks: outcome.checks,
    });
  });

  return router;
}
