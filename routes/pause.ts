import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { parseBody } from '../src/http/validate';
import { pauseRequestSchema, pauseStateSchema, resumeResultSchema } from '../src/schemas/closed-loop-schemas';
import type { PauseService } from '../src/execution/pause';
import type { SchemaRegistry } from '../src/schemas/registry';

export const PAUSE_ROUTES = declareRoutes({
  getPause: {
    method: 'GET',
    path: '/api/self-healing/pause',
    access: 'viewer',
    tag: 'automation',
    summary: 'The automation pause switch',
    responses: [{ status: 200, description: 'Paused or not; a pause past its `until` reads as not paused.', schema: pauseStateSchema }],
  },
  pauseAutomation: {
    method: 'POST',
    path: '/api/self-healing/pause',
    access: 'admin',
    tag: 'automation',
    summary: 'Pause all automatic actions (every instance)',
    description:
      'While paused, every would-be `execute` or `require_approval` is decided `paused` (ingest, simulate, trigger), and approving is refused with 409 `paused`; reverts still run. Ends by itself at `until`. Notified as `automation.paused` / `automation.resumed`.',
    body: { schema: pauseRequestSchema, required: true },
    responses: [{ status: 200, description: 'The pause in force.', schema: pauseStateSchema }],
  },
  resumeAutomation: {
    method: 'DELETE',
    path: '/api/self-healing/pause',
    access: 'admin',
    tag: 'automation',
    summary: 'Resume automation',
    responses: [{ status: 200, description: '`resumed` is false when it was not paused.', schema: resumeResultSchema }],
  },
});

/** The automation pause switch: read it, pause everything, resume. */
export function createPauseRouter(services: { pause: Pick<PauseService, 'current' | 'pause' | 'resume'>; schemas: SchemaRegistry }): Router {
  const router = Router();
  const { pause } = services;

  mount(router, PAUSE_ROUTES.getPause, async (_req, res) => {
    res.json(await pause.current());
  });

  mount(router, PAUSE_ROUTES.pauseAutomation, async (req, res) => {
    const body = parseBody<{ reason: string; until?: string }>(services.schemas, pauseRequestSchema.$id, req.body);
    res.json(await pause.pause({ ...body, by: actorName(res, 'api') }));
  });

  mount(router, PAUSE_ROUTES.resumeAutomation, async (_req, res) => {
    res.json(await pause.resume(actorName(res, 'api')));
  });

  return router;
}
