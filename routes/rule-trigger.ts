import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { nameParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import { TRIGGER_SCHEMA_IDS } from '../src/schemas/trigger-schemas';
import type { Services } from '../src/services/create-services';


/** Without a key (open loopback mode) there is no person to name; this says so in the record. */
export const UNAUTHENTICATED_REQUESTER = 'manual:unauthenticated';

/** A person asks for a rule's action now, through the same cooldown and approval gates as an ingest. */
export function createRuleTriggerRouter(services: Services): Router {
  const router = Router();

  router.post('/api/self-healing/rules/:name/trigger', async (req, res) => {
    const query = new QueryReader(req, ['wait']);
    const wait = query.boolean('wait');
    query.done();
    const name = nameParam(req);
    const body = req.body === undefined ? {} : parseBody<{ reason?: string }>(services.schemas, TRIGGER_SCHEMA_IDS.triggerRequest, req.body);
    const requestedBy = actorName(res, UNAUTHENTICATED_REQUESTER);
    const result = await services.remediation.trigger(name, {
      requestedBy,
      waitForOutcome: wait ?? services.config.actions.waitForOutcome,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    });
    services.logger.info('rule triggered by hand', { rule: name, by: requestedBy, decision: result.decisions[0]?.decision });
    res.json(result);
  });

  return router;
}
