import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { uuidParam } from '../src/http/path-params';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { cursorParam, idParam, limitParam, notFound } from '../src/http/route-parameters';
import { parseBody } from '../src/http/validate';
import type { SilenceService } from '../src/pipeline/silence-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { silencePageSchema, silenceRequestSchema, silenceSchema } from '../src/schemas/silence-schemas';
import { SILENCE_STATES } from '../src/silences/silence';

export const SILENCE_ROUTES = declareRoutes({
  createSilence: {
    method: 'POST',
    path: '/api/self-healing/silences',
    access: 'operator',
    tag: 'silences',
    summary: 'Create a silence (a maintenance window, optionally recurring)',
    description:
      'While it is in force, a matched rule that would act (execute, require_approval; a shadow rule\'s would-be action too) and matches every matcher is decided `silenced` with `silenceId` and `until`: nothing dispatched, no cooldown, no budget. Reverts and escalations are never silenced. Notified as `silence.created`. See docs/incidents.md.',
    body: { schema: silenceRequestSchema, required: true },
    responses: [{ status: 201, description: 'The silence.', schema: silenceSchema }],
  },
  listSilences: {
    method: 'GET',
    path: '/api/self-healing/silences',
    access: 'viewer',
    tag: 'silences',
    summary: 'Silences, newest first (expired ones kept)',
    parameters: [
      { name: 'state', in: 'query', description: 'Only silences in this state now.', schema: { enum: [...SILENCE_STATES] } },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: silencePageSchema }],
  },
  getSilence: {
    method: 'GET',
    path: '/api/self-healing/silences/:id',
    access: 'viewer',
    tag: 'silences',
    summary: 'One silence',
    parameters: [idParam('Silence')],
    responses: [{ status: 200, description: 'The silence.', schema: silenceSchema }],
    errors: [notFound('silence')],
  },
  expireSilence: {
    method: 'DELETE',
    path: '/api/self-healing/silences/:id',
    access: 'operator',
    tag: 'silences',
    summary: 'Expire a silence now (it is kept, with who and when)',
    description: 'Notified as `silence.expired`. Replay still applies it where it was in force.',
    parameters: [idParam('Silence')],
    responses: [{ status: 200, description: 'The expired silence.', schema: silenceSchema }],
    errors: [notFound('silence'), { status: 409, description: '`silence_expired`: it had ended or was expired already (`silence` says how).' }],
  },
});

export interface SilencesRouterDeps {
  silences: Pick<SilenceService, 'create' | 'list' | 'get' | 'expire'>;
  schemas: SchemaRegistry;
}

/** Silences: create, list, read, expire. */
export function createSilencesRouter({ silences, schemas }: SilencesRouterDeps): Router {
  const router = Router();

  mount(router, SILENCE_ROUTES.createSilence, async (req, res) => {
    const body = parseBody<unknown>(schemas, silenceRequestSchema.$id, req.body);
    res.status(201).json(await silences.create(body, actorName(res, 'api')));
  });

  mount(router, SILENCE_ROUTES.listSilences, async (req, res) => {
    res.json(await silences.list(readQuery(SILENCE_ROUTES.listSilences, req)));
  });

  mount(router, SILENCE_ROUTES.getSilence, async (req, res) => {
    res.json(await silences.get(uuidParam(req, 'silence')));
  });

  mount(router, SILENCE_ROUTES.expireSilence, async (req, res) => {
    res.json(await silences.expire(uuidParam(req, 'silence'), actorName(res, 'api')));
  });

  return router;
}
