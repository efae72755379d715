import { type Response, Router } from 'express';
import { ACTION_OUTCOMES, ACTION_STATUSES, type ActionQuery } from '../src/domain/action';
import { ACTION_TYPES } from '../src/domain/rule';
import { actorName, principalOf } from '../src/http/access-control';
import { uuidParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import type { DecisionInput } from '../src/approvals/approvals';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { ActionHistory } from '../src/history/action-history';
import type { ApprovalService } from '../src/approvals/approvals';
import type { RevertService } from '../src/closed-loop-service/reverts';
import type { SchemaRegistry } from '../src/schemas/registry';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { idParam, notFound, pageParams, ruleFilter, uuidQuery } from '../src/http/route-parameters';
import { actionPageSchema, actionSchema } from '../src/schemas/action-schemas';

export const ACTION_ROUTES = declareRoutes({
  listActions: {
    method: 'GET',
    path: '/api/self-healing/actions',
    access: 'viewer',
    tag: 'actions',
    summary: 'Action history, newest first (legacy route)',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: `Comma-separated statuses: ${ACTION_STATUSES.join(', ')}.`,
        style: 'form',
        explode: false,
        schema: { type: 'array', items: { enum: [...ACTION_STATUSES] }, maxItems: ACTION_STATUSES.length },
      },
      ruleFilter,
      { name: 'type', in: 'query', description: 'Only this action type.', schema: { enum: [...ACTION_TYPES] } },
      {
        name: 'outcome',
        in: 'query',
        description: 'Only actions with this verification outcome (docs/verification.md).',
        schema: { enum: [...ACTION_OUTCOMES] },
      },
      {
        name: 'failbackOf',
        in: 'query',
        description: 'Only the automatic failbacks of this failover action (docs/strategies/model-failover.md).',
        schema: uuidQuery,
      },
      { name: 'incidentId', in: 'query', description: 'Only the actions of this incident (docs/incidents.md).', schema: uuidQuery },
      ...pageParams,
    ],
    responses: [{ status: 200, description: 'One page.', schema: actionPageSchema }],
  },
  getAction: {
    method: 'GET',
    path: '/api/self-healing/actions/:id',
    access: 'viewer',
    tag: 'actions',
    summary: 'One action',
    parameters: [idParam('Action')],
    responses: [{ status: 200, description: 'The action.', schema: actionSchema }],
    errors: [notFound('action')],
  },
  approveAction: {
    method: 'POST',
    path: '/api/self-healing/actions/:id/approve',
    access: 'approver',
    tag: 'actions',
    summary: 'Approve a pending action and run it',
    description:
      'First re-evaluates the rule against the newest snapshot from the action\'s source received after the action was requested: when the rule no longer matches, 409 `condition_cleared` naming that snapshot and the failing conditions (the action stays pending; `"force": true` approves anyway and is recorded as `forcedApproval`). Refused with 409 `paused` while automation is paused.',
    parameters: [idParam('Action')],
    body: { schema: SCHEMA_IDS.decisionRequest, required: true },
    responses: [{ status: 200, description: 'The action with its outcome.', schema: actionSchema }],
    errors: [
      notFound('action'),
      {
        status: 409,
        description: '`already_decided` (the first decision wins), `approval_expired`, `paused`, or `condition_cleared` (with snapshotId, snapshotReceivedAt, failedConditions).',
      },
    ],
  },
  rejectAction: {
    method: 'POST',
    path: '/api/self-healing/actions/:id/reject',
    access: 'approver',
    tag: 'actions',
    summary: 'Reject a pending action',
    parameters: [idParam('Action')],
    body: { schema: SCHEMA_IDS.decisionRequest, required: true },
    responses: [{ status: 200, description: 'The rejected action.', schema: actionSchema }],
    errors: [
      notFound('action'),
      { status: 409, description: '`already_decided` (the first decision wins) or `approval_expired`.' },
    ],
  },
  revertAction: {
    method: 'POST',
    path: '/api/self-healing/actions/:id/revert',
    access: 'approver',
    tag: 'actions',
    summary: "Undo a succeeded action through its strategy's inverse",
    description:
      'Creates a revert action (`revertOf`), runs it to its end and returns it (its status says whether the inverse worked). No cooldown, budget or pause applies to it.',
    parameters: [idParam('Action')],
    responses: [{ status: 200, description: 'The revert action, finished.', schema: actionSchema }],
    errors: [
      notFound('action'),
      {
        status: 409,
        description: 'Cannot be reverted, with a code naming why: `no_inverse` (service_restart, alert_only), `not_succeeded`, `is_a_revert`, `already_reverted` (with revertId).',
      },
    ],
  },
});

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

  mount(router, ACTION_ROUTES.listActions, async (req, res) => {
    const query: ActionQuery = readQuery(ACTION_ROUTES.listActions, req);
    res.json(await actions.list(query));
  });

  mount(router, ACTION_ROUTES.getAction, async (req, res) => {
    const id = uuidParam(req, 'action');
    res.json(await actions.get(id));
  });

  mount(router, ACTION_ROUTES.approveAction, async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await approvals.approve(id, withKey(input, res)));
  });

  mount(router, ACTION_ROUTES.revertAction, async (req, res) => {
    const id = uuidParam(req, 'action');
    res.json(await reverts.revertById(id, actorName(res, 'api')));
  });

  mount(router, ACTION_ROUTES.rejectAction, async (req, res) => {
    const id = uuidParam(req, 'action');
    const input = parseBody<DecisionInput>(schemas, SCHEMA_IDS.decisionRequest, req.body);
    res.json(await approvals.reject(id, withKey(input, res)));
  });

  return router;
}
