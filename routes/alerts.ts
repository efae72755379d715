import { type Request, Router } from 'express';
import { SEVERITIES } from '../src/domain/rule';
import { ValidationError } from '../src/errors';
import { actorName } from '../src/http/access-control';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import type { Services } from '../src/services/create-services';
import { ALERT_SCHEMA_IDS } from '../src/schemas/alert-schemas';

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const ALERT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function alertId(req: Request): string {
  const id = String(req.params.id);
  if (!ALERT_ID.test(id)) {
    throw new ValidationError('invalid alert id', [{ pointer: '/params/id', message: 'must be a UUID' }]);
  }
  return id;
}

export function createAlertsRouter(services: Services): Router {
  const router = Router();
  const { alerts, schemas } = services;

  router.get('/api/self-healing/alerts', async (req, res) => {
    const query = new QueryReader(req, ['rule', 'severity', 'acknowledged', 'since', 'until', 'limit', 'cursor']);
    const filters = {
      rule: query.string('rule', RULE_NAME),
      severity: query.oneOf('severity', SEVERITIES),
      acknowledged: query.boolean('acknowledged'),
      since: query.date('since'),
      until: query.date('until'),
      limit: query.limit(),
      cursor: query.cursor(),
    };
    query.done();
    res.json(await alerts.list(filters));
  });

  router.get('/api/self-healing/alerts/:id', async (req, res) => {
    new QueryReader(req, []).done();
    res.json(await alerts.get(alertId(req)));
  });

  router.post('/api/self-healing/alerts/:id/ack', async (req, res) => {
    new QueryReader(req, []).done();
    const id = alertId(req);
    const { by } = parseBody<{ by: string }>(schemas, ALERT_SCHEMA_IDS.ackRequest, req.body);
    res.json(await alerts.acknowledge(id, actorName(res, by)));
  });

  return router;
}
