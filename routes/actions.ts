import { type Response, Router } from 'express';
import { ACTION_OUTCOMES, ACTION_STATUSES, type ActionQuery, type ActionRecord } from '../src/domain/action';
import { ACTION_TYPES } from '../src/domain/rule';
import { NotFoundError } from '../src/errors';
import { actorName, principalOf } from '../src/http/access-control';
import { NAME_PATTERN, uuidParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import type { DecisionInput } from '../src/remediation/approvals';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { Services } from '../src/services/create-services';


/** The key that sent a decision is the decider on record (the body's `by` becomes a note). */
function withKey(input: DecisionInput, res: Response): DecisionInput {
  const key = principalOf(res);
  return key ? { ...input, keyName: key.name } : input;
}

export function createActionsRouter(services: Services): Router {
  const router = Router();

  router.get('/api/self-healing/actions', async (req, res) => {
    const q = new QueryReader(req, ['status', 'rule', 'type', 'outcome', 'since', 'until', 'limit', 'cursor']);
    const query: ActionQuery = { limit: q.limit() };
    const status = q.enumList('status', ACTION_STATUSES);
    const rule = q.string('rule', NAME_PATTERN);
    const type = q.oneOf('type', ACTION_TYPES);
    const outcome = q.oneOf('outcome', ACTION_OUTCOMES);
    const since = q.date('since');
    const until = q.date('until');
    const cursor = q.cursor();
    q.done();
    if (status) query.status = status;
    if (rule) query.rule = rule;
    if (type) query.type = type;
    if (outcome) query.outcome = outcome;
    if (since) query.since = since;
    if (until) query.until = until;
    if (cursor) query.cursor = cursor;
    res.json(await services.store.listActions(query));
  });

  router.get('/api/self-healing/actions/:id', async (req, res) => {
    const id = uuidParam(req, 'action');
    const action: ActionRecord | null = await services.store.getAction(id);
    if (!action) throw new NotFoundError(`no action with id "${id}"`);
    res.json(action);
  });

  router.post('/api/self-healing/actions/:id/approve', async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(services.schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await services.approvals.approve(id, withKey(input, res)));
  });

  router.post('/api/self-healing/actions/:id/revert', async (req, res) => {
    const id = uuidParam(req, 'action');
    new QueryReader(req, []).done();
    res.json(await services.reverts.revertById(id, actorName(res, 'api')));
  });

  router.post('/api/self-healing/actions/:id/reject', async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(services.schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await services.approvals.reject(id, withKey(input, res)));
  });

  return router;
}
