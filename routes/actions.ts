import { type Response, Router } from 'express';
import { handle } from '../src/http/route-table';
import { ACTION_OUTCOMES, ACTION_STATUSES, type ActionQuery } from '../src/domain/action';
import { ACTION_TYPES } from '../src/domain/rule';
import { actorName, principalOf } from '../src/http/access-control';
import { NAME_PATTERN, UUID_PATTERN, uuidParam } from '../src/http/path-params';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import type { DecisionInput } from '../src/remediation/approvals';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { ActionHistory } from '../src/remediation/action-history';
import type { ApprovalService } from '../src/remediation/approvals';
import type { RevertService } from '../src/remediation/reverts';
import type { SchemaRegistry } from '../src/schemas/registry';


/** The key that sent a decision is the decider on record (the body's `by` becomes a note). */
function withKey(input: DecisionInput, res: Response): DecisionInput {
  const key = principalOf(res);
  return key ? { ...input, keyName: key.name } : input;
}

export interface ActionsRouterDeps {
  actions: Pick<ActionHistory, 'list' | 'get'>;
  approvals: Pick<ApprovalService, 'approve' | 'reject'>;
  reverts: Pick<RevertService, 'revertById'>;
  schemas: SchemaRegistry;
}

export function createActionsRouter({ actions, approvals, reverts, schemas }: ActionsRouterDeps): Router {
  const router = Router();

  handle(router, 'listActions', async (req, res) => {
    const q = new QueryReader(req, ['status', 'rule', 'type', 'outcome', 'failbackOf', 'since', 'until', 'limit', 'cursor']);
    const query: ActionQuery = { limit: q.limit() };
    const status = q.enumList('status', ACTION_STATUSES);
    const rule = q.string('rule', NAME_PATTERN);
    const type = q.oneOf('type', ACTION_TYPES);
    const outcome = q.oneOf('outcome', ACTION_OUTCOMES);
    const failbackOf = q.string('failbackOf', UUID_PATTERN);
    const since = q.date('since');
    const until = q.date('until');
    const cursor = q.cursor();
    q.done();
    if (status) query.status = status;
    if (rule) query.rule = rule;
    if (type) query.type = type;
    if (outcome) query.outcome = outcome;
    if (failbackOf) query.failbackOf = failbackOf;
    if (since) query.since = since;
    if (until) query.until = until;
    if (cursor) query.cursor = cursor;
    res.json(await actions.list(query));
  });

  handle(router, 'getAction', async (req, res) => {
    const id = uuidParam(req, 'action');
    res.json(await actions.get(id));
  });

  handle(router, 'approveAction', async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await approvals.approve(id, withKey(input, res)));
  });

  handle(router, 'revertAction', async (req, res) => {
    const id = uuidParam(req, 'action');
    new QueryReader(req, []).done();
    res.json(await reverts.revertById(id, actorName(res, 'api')));
  });

  handle(router, 'rejectAction', async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await approvals.reject(id, withKey(input, res)));
  });

  return router;
}
