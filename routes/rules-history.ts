import { type Request, Router } from 'express';
import { NotFoundError, PreconditionRequiredError } from '../src/errors';
import { actorName } from '../src/http/access-control';
import { parseBody } from '../src/http/validate';
import type { RulesService } from '../src/rules/rules-service';
import type { RulesHistoryService } from '../src/rules-history/rules-history-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { rollbackRequestSchema, rollbackResultSchema, RULES_HISTORY_SCHEMA_IDS, rulesHistoryPageSchema } from '../src/schemas/rules-history-schemas';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { cursorParam, ifMatch, limitParam, notFound } from '../src/http/route-parameters';

export const RULES_HISTORY_ROUTES = declareRoutes({
  listRulesHistory: {
    method: 'GET',
    path: '/api/self-healing/rules/history',
    access: 'viewer',
    tag: 'rules',
    summary: 'Every accepted version of the rules file, newest first: who, how (api, file, rollback) and the diff',
    parameters: [
      // The same limit and cursor the server reads (readQuery's limit() and cursor()) as every paged route.
      limitParam,
      cursorParam,
    ],
    responses: [{ status: 200, description: 'One page.', schema: rulesHistoryPageSchema }],
  },
  rollbackRules: {
    method: 'POST',
    path: '/api/self-healing/rules/rollback',
    access: 'admin',
    tag: 'rules',
    summary: 'Restore a recorded version of the rules file (validated, atomic, recorded as a rollback)',
    description: 'Works also while the file on disk is invalid. The restored file is written as the API writes (2-space JSON), so its version equals the recorded one when that was written by the API.',
    parameters: [{ ...ifMatch, required: true, description: 'The rules file version (ETag) being replaced; required.' }],
    body: { schema: rollbackRequestSchema, required: true },
    responses: [{ status: 200, description: 'Restored.', schema: rollbackResultSchema, headers: ['ETag'] }],
    errors: [
      notFound('version'),
      { status: 412, description: 'If-Match does not match the file on disk (`currentVersion` says what does).' },
      { status: 428, description: 'If-Match is missing.' },
      { status: 503, description: 'Another writer held the rules file lock for longer than 5 s; retry.' },
    ],
  },
});

export interface RulesHistoryRouterDeps {
  history: Pick<RulesHistoryService, 'list' | 'get'>;
  rules: Pick<RulesService, 'rollback'>;
  schemas: SchemaRegistry;
}

function requireIfMatch(req: Request): string {
  const value = req.get('if-match');
  if (!value) {
    throw new PreconditionRequiredError('a rollback must name the version it replaces: send If-Match with the ETag of GET /api/self-healing/rules');
  }
  return value;
}

/** Mounted before the rules router: `/rules/history` is not a rule named "history". */
export function createRulesHistoryRouter({ history, rules, schemas }: RulesHistoryRouterDeps): Router {
  const router = Router();

  mount(router, RULES_HISTORY_ROUTES.listRulesHistory, async (req, res) => {
    res.json(await history.list(readQuery(RULES_HISTORY_ROUTES.listRulesHistory, req)));
  });

  mount(router, RULES_HISTORY_ROUTES.rollbackRules, async (req, res) => {
    const ifMatch = requireIfMatch(req);
    const { version } = parseBody<{ version: string }>(schemas, RULES_HISTORY_SCHEMA_IDS.rollbackRequest, req.body, 'rollback request');
    const record = await history.get(version);
    if (!record) throw new NotFoundError(`no version "${version}" in the rules history`);
    const write = await rules.rollback(JSON.parse(record.document) as Record<string, unknown>, ifMatch, actorName(res, 'api'), version);
    res.setHeader('ETag', `"${write.version}"`);
    res.json({ version: write.version, restored: version });
  });

  return router;
}
