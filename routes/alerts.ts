import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { SEVERITIES } from '../src/domain/rule';
import { actorName } from '../src/http/access-control';
import { NAME_PATTERN, uuidParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { AlertService } from '../src/targets/alert-service';
import { ALERT_SCHEMA_IDS } from '../src/schemas/alert-schemas';


export interface AlertsRouterDeps {
  alerts: Pick<AlertService, 'list' | 'get' | 'acknowledge'>;
  schemas: SchemaRegistry;
}

export function createAlertsRouter({ alerts, schemas }: AlertsRouterDeps): Router {
  const router = Router();

  handle(router, 'listAlerts', async (req, res) => {
    const query = new QueryReader(req, ['rule', 'severity', 'acknowledged', 'since', 'until', 'limit', 'cursor']);
    const filters = {
      rule: query.string('rule', NAME_PATTERN),
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

  handle(router, 'getAlert', async (req, res) => {
    new QueryReader(req, []).done();
    res.json(await alerts.get(uuidParam(req, 'alert')));
  });

  handle(router, 'acknowledgeAlert', async (req, res) => {
    new QueryReader(req, []).done();
    const id = uuidParam(req, 'alert');
    const { by } = parseBody<{ by: string }>(schemas, ALERT_SCHEMA_IDS.ackRequest, req.body);
    res.json(await alerts.acknowledge(id, actorName(res, by)));
  });

  return router;
}
