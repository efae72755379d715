import { type Request, type Response, Router } from 'express';
import { NotFoundError, ValidationError } from '../src/errors';
import { actorName } from '../src/http/access-control';
import { nameParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { ActionHistory } from '../src/history/action-history';
import type { EvaluationErrors } from '../src/pipeline/evaluation-errors';
import type { RemediationService } from '../src/pipeline/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { RulesService, RuleWrite } from '../src/rules/rules-service';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { ifMatch as ifMatchParam, notFound, ruleNameParam, rulesWriteErrors } from '../src/http/route-parameters';
import { ruleDeletedSchema, ruleDetailSchema, rulesListSchema, rulesValidationSchema, ruleWriteSchema } from '../src/schemas/rule-schemas';

export const RULE_ROUTES = declareRoutes({
  listRules: {
    method: 'GET',
    path: '/api/self-healing/rules',
    access: 'viewer',
    tag: 'rules',
    summary: 'The rules in force and the file status (legacy route)',
    responses: [{ status: 200, description: 'Rules with defaults filled in.', schema: rulesListSchema, headers: ['ETag'] }],
  },
  validateRulesFile: {
    method: 'POST',
    path: '/api/self-healing/rules/validate',
    access: 'operator',
    tag: 'rules',
    summary: 'Validate a whole candidate rules file; applies nothing',
    body: { schema: SCHEMA_IDS.rulesFile, required: true, description: 'Any JSON; an invalid candidate is answered 200 with `valid: false`.' },
    responses: [{ status: 200, description: 'The verdict with every problem.', schema: rulesValidationSchema }],
  },
  getRule: {
    method: 'GET',
    path: '/api/self-healing/rules/:name',
    access: 'viewer',
    tag: 'rules',
    summary: 'One rule, its cooldown and open approval',
    parameters: [ruleNameParam],
    responses: [{ status: 200, description: 'The rule.', schema: ruleDetailSchema, headers: ['ETag'] }],
    errors: [notFound('rule')],
  },
  createRule: {
    method: 'POST',
    path: '/api/self-healing/rules',
    access: 'admin',
    tag: 'rules',
    summary: 'Add a rule (written back to the file atomically)',
    parameters: [ifMatchParam],
    body: { schema: SCHEMA_IDS.rule, required: true },
    responses: [{ status: 201, description: 'Written.', schema: ruleWriteSchema, headers: ['ETag'] }],
    errors: rulesWriteErrors,
  },
  replaceRule: {
    method: 'PUT',
    path: '/api/self-healing/rules/:name',
    access: 'admin',
    tag: 'rules',
    summary: 'Replace a rule (the body name must match the URL)',
    parameters: [ruleNameParam, ifMatchParam],
    body: { schema: SCHEMA_IDS.rule, required: true },
    responses: [{ status: 200, description: 'Written.', schema: ruleWriteSchema, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
  patchRule: {
    method: 'PATCH',
    path: '/api/self-healing/rules/:name',
    access: 'admin',
    tag: 'rules',
    summary: 'Change some members of a rule (any but its name); each member given replaces the file\'s, the others stay as written',
    parameters: [ruleNameParam, ifMatchParam],
    body: { schema: SCHEMA_IDS.rulePatch, required: true },
    responses: [{ status: 200, description: 'Written.', schema: ruleWriteSchema, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
  deleteRule: {
    method: 'DELETE',
    path: '/api/self-healing/rules/:name',
    access: 'admin',
    tag: 'rules',
    summary: 'Delete a rule',
    parameters: [ruleNameParam, ifMatchParam],
    responses: [{ status: 200, description: 'Deleted; the file\'s new version.', schema: ruleDeletedSchema, headers: ['ETag'] }],
    errors: [notFound('rule'), ...rulesWriteErrors],
  },
});

function ifMatch(req: Request): string | undefined {
  return req.get('if-match') ?? undefined;
}

function sendWrite(res: Response, write: RuleWrite, status = 200): void {
  res.setHeader('ETag', `"${write.version}"`);
  if (write.rule === null) {
    res.status(status).json({ version: write.version });
    return;
  }
  res.status(status).json({ version: write.version, rule: write.rule });
}

export interface RulesRouterDeps {
  rules: RulesService;
  remediation: Pick<RemediationService, 'requiresApproval' | 'closedLoopOf' | 'evaluationOf'>;
  actions: Pick<ActionHistory, 'ruleState'>;
  schemas: SchemaRegistry;
  evaluationErrors: Pick<EvaluationErrors, 'summary'>;
}

export function createRulesRouter({ rules, remediation, actions, schemas, evaluationErrors }: RulesRouterDeps): Router {
  const router = Router();

  const withEffective = (rule: ReturnType<typeof rules.current>['rules'][number]) => ({
    ...rule,
    requiresApproval: remediation.requiresApproval(rule),
    ...remediation.closedLoopOf(rule),
    ...remediation.evaluationOf(rule),
    evaluationErrors: evaluationErrors.summary(rule.name),
  });

  mount(router, RULE_ROUTES.listRules, (_req, res) => {
    const ruleset = rules.current();
    const status = rules.status();
    res.setHeader('ETag', `"${status.version}"`);
    res.json({ ...status, count: ruleset.rules.length, rules: ruleset.rules.map(withEffective) });
  });

  mount(router, RULE_ROUTES.validateRulesFile, (req, res) => {
    if (req.body === undefined) {
      throw new ValidationError('a candidate rules file is required', [{ pointer: '', message: 'missing body' }]);
    }
    res.json(rules.validateCandidate(req.body));
  });

  mount(router, RULE_ROUTES.getRule, async (req, res) => {
    const name = nameParam(req);
    const rule = rules.current().byName.get(name);
    if (!rule) throw new NotFoundError(`no rule named "${name}"`);
    const state = await actions.ruleState(name);
    res.setHeader('ETag', `"${rules.current().version}"`);
    res.json({
      version: rules.current().version,
      rule: withEffective(rule),
      state: { cooldownUntil: state.cooldownUntil?.toISOString() ?? null, openApprovalId: state.openApprovalId },
    });
  });

  mount(router, RULE_ROUTES.createRule, async (req, res) => {
    const rule = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rule, req.body, 'rule');
    sendWrite(res, await rules.create(rule, ifMatch(req), actorName(res, 'api')), 201);
  });

  mount(router, RULE_ROUTES.replaceRule, async (req, res) => {
    const name = nameParam(req);
    const rule = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rule, req.body, 'rule');
    if (rule.name !== name) {
      throw new ValidationError('the rule name in the body must match the URL (rules cannot be renamed)', [
        { pointer: '/name', message: `must be "${name}"` },
      ]);
    }
    sendWrite(res, await rules.replace(name, rule, ifMatch(req), actorName(res, 'api')));
  });

  mount(router, RULE_ROUTES.patchRule, async (req, res) => {
    const name = nameParam(req);
    const patch = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rulePatch, req.body, 'patch');
    sendWrite(res, await rules.patch(name, patch, ifMatch(req), actorName(res, 'api')));
  });

  mount(router, RULE_ROUTES.deleteRule, async (req, res) => {
    const name = nameParam(req);
    sendWrite(res, await rules.remove(name, ifMatch(req), actorName(res, 'api')));
  });

  return router;
}
