import { Router } from 'express';
import { actorName } from '../src/http/access-control';
import { nameParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import { TRIGGER_SCHEMA_IDS, triggerRequestSchema } from '../src/schemas/trigger-schemas';
import type { AppConfig } from '../src/config/schema';
import type { Logger } from '../src/logging/logger';
import type { RemediationService } from '../src/pipeline/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { notFound, ruleNameParam } from '../src/http/route-parameters';
import { triggerResultSchema } from '../src/schemas/trigger-schemas';

export const RULE_TRIGGER_ROUTES = declareRoutes({
  triggerRule: {
    method: 'POST',
    path: '/api/self-healing/rules/:name/trigger',
    access: 'operator',
    tag: 'remediation',
    summary: "Request a rule's action now, through the same cooldown and approval gates as an ingest",
    description: 'The requester on record is the API key name. With four eyes on for the action type, the same key cannot approve it.',
    parameters: [
      ruleNameParam,
      { name: 'wait', in: 'query', description: '`true`: wait for an executed action to finish.', schema: { enum: ['true', 'false'] } },
    ],
    body: { schema: triggerRequestSchema, required: false, description: 'Optional; `reason` is kept for the approver.' },
    responses: [{ status: 200, description: 'The decision taken (execute, require_approval, cooldown, duplicate_pending, paused, silenced, inhibited or budget_exhausted).', schema: triggerResultSchema }],
    errors: [notFound('rule'), { status: 409, description: '`rule_disabled`: enable the rule before triggering it.' }],
  },
});

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

  mount(router, RULE_TRIGGER_ROUTES.triggerRule, async (req, res) => {
    const { wait } = readQuery(RULE_TRIGGER_ROUTES.triggerRule, req);
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
