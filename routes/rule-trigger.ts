import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { actorName } from '../src/http/access-control';
import { nameParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import { TRIGGER_SCHEMA_IDS } from '../src/schemas/trigger-schemas';
import type { AppConfig } from '../src/config/schema';
import type { Logger } from '../src/logging/logger';
import type { RemediationService } from '../src/remediation/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';


/** Without a key (open loopback mode) there is no person to name; this says so in the record. */
export const UNAUTHENTICATED_REQUESTER = 'manual:unauthenticated';

/** A person asks for a rule's action now, through the same cooldown and approval gates as an ingest. */
export interface RuleTriggerRouterDeps {
  remediation: Pick<RemediationService, 'trigger'>;
  schemas: SchemaRegistry;
  config: Pick<AppConfig, 'actions'>;
  logger: Logger;
}

export function createRuleTriggerRouter({ remediation, schemas, config, logger }: RuleTriggerRouterDeps): Router {
  const router = Router();

  handle(router, 'triggerRule', async (req, res) => {
    const query = new QueryReader(req, ['wait']);
    const wait = query.boolean('wait');
    query.done();
    const name = nameParam(req);
    const body = req.body === undefined ? {} : parseBody<{ reason?: string }>(schemas, TRIGGER_SCHEMA_IDS.triggerRequest, req.body);
    const requestedBy = actorName(res, UNAUTHENTICATED_REQUESTER);
    const result = await remediation.trigger(name, {
      requestedBy,
      waitForOutcome: wait ?? config.actions.waitForOutcome,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
    });
    logger.info('rule triggered by hand', { rule: name, by: requestedBy, decision: result.decisions[0]?.decision });
    res.json(result);
  });

  return router;
}
