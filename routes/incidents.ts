import { Router } from 'express';
import { INCIDENT_STATES } from '../src/domain/incident';
import { uuidParam } from '../src/http/path-params';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { cursorParam, dateTimeQuery, idParam, limitParam, notFound } from '../src/http/route-parameters';
import { NotFoundError } from '../src/errors';
import type { IncidentService } from '../src/incidents/incident-service';
import { incidentView } from '../src/incidents/incident-summary';
import { incidentDetailSchema, incidentPageSchema } from '../src/schemas/incident-schemas';

export const INCIDENT_ROUTES = declareRoutes({
  listIncidents: {
    method: 'GET',
    path: '/api/self-healing/incidents',
    access: 'viewer',
    tag: 'incidents',
    summary: 'Incidents, open ones first, newest first within each',
    parameters: [
      { name: 'state', in: 'query', description: 'Only open or only resolved ones.', schema: { enum: [...INCIDENT_STATES] } },
      { name: 'source', in: 'query', description: 'Only incidents of this source (their `source` label).', schema: { type: 'string', minLength: 1, maxLength: 200 } },
      { name: 'since', in: 'query', description: 'Opened at or after (ISO 8601).', schema: dateTimeQuery },
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: incidentPageSchema }],
  },
  getIncident: {
    method: 'GET',
    path: '/api/self-healing/incidents/:id',
    access: 'viewer',
    tag: 'incidents',
    summary: 'One incident with its timeline',
    description: 'The triggering snapshot(s), every decision with its reason, the actions with who approved them and their outcomes, the alerts, and when and why it was resolved.',
    parameters: [idParam('Incident')],
    responses: [{ status: 200, description: 'The incident and its timeline.', schema: incidentDetailSchema }],
    errors: [notFound('incident')],
  },
});

export interface IncidentsRouterDeps {
  incidents: Pick<IncidentService, 'list' | 'get' | 'detail'>;
}

/** Incidents: what one cause set off, grouped (docs/incidents.md). */
export function createIncidentsRouter({ incidents }: IncidentsRouterDeps): Router {
  const router = Router();

  mount(router, INCIDENT_ROUTES.listIncidents, async (req, res) => {
    const page = await incidents.list(readQuery(INCIDENT_ROUTES.listIncidents, req));
    res.json({ items: page.items.map(incidentView), nextCursor: page.nextCursor });
  });

  mount(router, INCIDENT_ROUTES.getIncident, async (req, res) => {
    const id = uuidParam(req, 'incident');
    const incident = await incidents.get(id);
    if (!incident) throw new NotFoundError(`no incident with id ${id}`);
    res.json(await incidents.detail(incident));
  });

  return router;
}
