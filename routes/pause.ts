import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { QueryReader } from '../src/http/query';
import { handle } from '../src/http/route-table';
import { parseBody } from '../src/http/validate';
import { CLOSED_LOOP_SCHEMA_IDS } from '../src/schemas/closed-loop-schemas';
import type { PauseService } from '../src/remediation/pause';
import type { SchemaRegistry } from '../src/schemas/registry';

/** The automation pause switch: read it, pause everything, resume. */
export function createPauseRouter(services: { pause: Pick<PauseService, 'current' | 'pause' | 'resume'>; schemas: SchemaRegistry }): Router {
  const router = Router();
  const { pause } = services;

  handle(router, 'getPause', async (req, res) => {
    new QueryReader(req, []).done();
    res.json(await pause.current());
  });

  handle(router, 'pauseAutomation', async (req, res) => {
    new QueryReader(req, []).done();
    const body = parseBody<{ reason: string; until?: string }>(services.schemas, CLOSED_LOOP_SCHEMA_IDS.pauseRequest, req.body);
    res.json(await pause.pause({ ...body, by: actorName(res, 'api') }));
  });

  handle(router, 'resumeAutomation', async (req, res) => {
    new QueryReader(req, []).done();
    res.json(await pause.resume(actorName(res, 'api')));
  });

  return router;
}
