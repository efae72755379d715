import { type Request, type Response, Router } from 'express';
import { NotFoundError, ValidationError } from '../src/errors';
import { nameParam } from '../src/http/path-params';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { Services } from '../src/services/create-services';
import type { RuleWrite } from '../src/rules/rules-service';


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

export function createRulesRouter(services: Services): Router {
  const router = Router();
  const { rules, remediation } = services;

  const withEffective = (rule: ReturnType<typeof rules.current>['rules'][number]) => ({
    ...rule,
    requiresApproval: remediation.requiresApproval(rule),
    ...services.evaluator.modeOf(rule),
    evaluationErrors: services.evaluationErrors.summary(rule.name),
  });

  router.get('/api/self-healing/rules', (_req, res) => {
    const ruleset = rules.current();
    const status = rules.status();
    res.setHeader('ETag', `"${status.version}"`);
    res.json({ ...status, count: ruleset.rules.length, rules: ruleset.rules.map(withEffective) });
  });

  router.post('/api/self-healing/rules/validate', (req, res) => {
    if (req.body === undefined) {
      throw new ValidationError('a candidate rules file is required', [{ pointer: '', message: 'missing body' }]);
    }
    res.json(rules.validateCandidate(req.body));
  });

  router.get('/api/self-healing/rules/:name', async (req, res) => {
    const name = nameParam(req);
    const rule = rules.current().byName.get(name);
    if (!rule) throw new NotFoundError(`no rule named "${name}"`);
    const state = (await services.store.getRuleStates([name])).get(name)!;
    res.setHeader('ETag', `"${rules.current().version}"`);
    res.json({
      version: rules.current().version,
      rule: withEffective(rule),
      state: { cooldownUntil: state.cooldownUntil?.toISOString() ?? null, openApprovalId: state.openApprovalId },
    });
  });

  router.post('/api/self-healing/rules', async (req, res) => {
    const rule = parseBody<Record<string, unknown>>(services.schemas, SCHEMA_IDS.rule, req.body, 'rule');
    sendWrite(res, await rules.create(rule, ifMatch(req)), 201);
  });

  router.put('/api/self-healing/rules/:name', async (req, res) => {
    const name = nameParam(req);
    const rule = parseBody<Record<string, unknown>>(services.schemas, SCHEMA_IDS.rule, req.body, 'rule');
    if (rule.name !== name) {
      throw new ValidationError('the rule name in the body must match the URL (rules cannot be renamed)', [
        { pointer: '/name', message: `must be "${name}"` },
      ]);
    }
    sendWrite(res, await rules.replace(name, rule, ifMatch(req)));
  });

  router.patch('/api/self-healing/rules/:name', async (req, res) => {
    const name = nameParam(req);
    const patch = parseBody<Record<string, unknown>>(services.schemas, SCHEMA_IDS.rulePatch, req.body, 'patch');
    sendWrite(res, await rules.patch(name, patch, ifMatch(req)));
  });

  router.delete('/api/self-healing/rules/:name', async (req, res) => {
    const name = nameParam(req);
    sendWrite(res, await rules.remove(name, ifMatch(req)));
  });

  return router;
}
