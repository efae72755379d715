import { Router } from 'express';
import { SEVERITIES } from '../src/domain/rule';
import { actorName } from '../src/http/access-control';
import { uuidParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { AlertService } from '../src/targets/alert-service';
import { ALERT_SCHEMA_IDS, alertAckRequestSchema } from '../src/schemas/alert-schemas';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { idParam, notFound, pageParams, ruleFilter, uuidQuery } from '../src/http/route-parameters';
import { alertPageSchema, alertSchema } from '../src/schemas/alert-schemas';

export const ALERT_ROUTES = declareRoutes({
  listAlerts: {
    method: 'GET',
    path: '/api/self-healing/alerts',
    access: 'viewer',
    tag: 'alerts',
    summary: 'Alerts, newest first',
    parameters: [
      ruleFilter,
      { name: 'severity', in: 'query', description: 'Only this severity.', schema: { enum: [...SEVERITIES] } },
      { name: 'acknowledged', in: 'query', description: 'Only (un)acknowledged ones.', schema: { enum: ['true', 'false'] } },
      { name: 'incidentId', in: 'query', description: 'Only the alerts of this incident (docs/incidents.md).', schema: uuidQuery },
      ...pageParams,
    ],
    responses: [{ status: 200, description: 'One page.', schema: alertPageSchema }],
  },
  getAlert: {
    method: 'GET',
    path: '/api/self-healing/alerts/:id',
    access: 'viewer',
    tag: 'alerts',
    summary: 'One alert',
    parameters: [idParam('Alert')],
    responses: [{ status: 200, description: 'The alert.', schema: alertSchema }],
    errors: [notFound('alert')],
  },
  acknowledgeAlert: {
    method: 'POST',
    path: '/api/self-healing/alerts/:id/ack',
    access: 'operator',
    tag: 'alerts',
    summary: 'Acknowledge an alert (once)',
    parameters: [idParam('Alert')],
    body: { schema: alertAckRequestSchema, required: true },
    responses: [{ status: 200, description: 'The acknowledged alert.', schema: alertSchema }],
    errors: [notFound('alert'), { status: 409, description: '`already_acknowledged` (`acknowledgedBy`, `acknowledgedAt`).' }],
  },
});

export interface AlertsRouterDeps {
  alerts: Pick<AlertService, 'list' | 'get' | 'acknowledge'>;
  schemas: SchemaRegistry;
}

export function createAlertsRouter({ alerts, schemas }: AlertsRouterDeps): Router {
  const router = Router();

  mount(router, ALERT_ROUTES.listAlerts, async (req, res) => {
    res.json(await alerts.list(readQuery(ALERT_ROUTES.listAlerts, req)));
  });

  mount(router, ALERT_ROUTES.getAlert, async (req, res) => {
    res.json(await alerts.get(uuidParam(req, 'alert')));
  });

  mount(router, ALERT_ROUTES.acknowledgeAlert, async (req, res) => {
    const id = uuidParam(req, 'alert');
    const { by } = parseBody<{ by: string }>(schemas, ALERT_SCHEMA_IDS.ackRequest, req.body);
    res.json(await alerts.acknowledge(id, actorName(res, by)));
  });

  return router;
}
