import { type Request, type Response, Router } from 'express';
import { handle } from '../src/http/route-table';
import { NotFoundError, ValidationError } from '../src/errors';
import { actorName } from '../src/http/access-control';
import { nameParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { ActionHistory } from '../src/remediation/action-history';
import type { EvaluationErrors } from '../src/remediation/evaluation-errors';
import type { RemediationService } from '../src/remediation/remediation-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { RulesService, RuleWrite } from '../src/rules/rules-service';


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

  handle(router, 'listRules', (_req, res) => {
    const ruleset = rules.current();
    const status = rules.status();
    res.setHeader('ETag', `"${status.version}"`);
    res.json({ ...status, count: ruleset.rules.length, rules: ruleset.rules.map(withEffective) });
  });

  handle(router, 'validateRulesFile', (req, res) => {
    if (req.body === undefined) {
      throw new ValidationError('a candidate rules file is required', [{ pointer: '', message: 'missing body' }]);
    }
    res.json(rules.validateCandidate(req.body));
  });

  handle(router, 'getRule', async (req, res) => {
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

  handle(router, 'createRule', async (req, res) => {
    const rule = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rule, req.body, 'rule');
    sendWrite(res, await rules.create(rule, ifMatch(req), actorName(res, 'api')), 201);
  });

  handle(router, 'replaceRule', async (req, res) => {
    const name = nameParam(req);
    const rule = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rule, req.body, 'rule');
    if (rule.name !== name) {
      throw new ValidationError('the rule name in the body must match the URL (rules cannot be renamed)', [
        { pointer: '/name', message: `must be "${name}"` },
      ]);
    }
    sendWrite(res, await rules.replace(name, rule, ifMatch(req), actorName(res, 'api')));
  });

  handle(router, 'patchRule', async (req, res) => {
    const name = nameParam(req);
    const patch = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rulePatch, req.body, 'patch');
    sendWrite(res, await rules.patch(name, patch, ifMatch(req), actorName(res, 'api')));
  });

  handle(router, 'deleteRule', async (req, res) => {
    const name = nameParam(req);
    sendWrite(res, await rules.remove(name, ifMatch(req), actorName(res, 'api')));
  });

  return router;
}
