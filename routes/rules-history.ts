import { type Request, Router } from 'express';
import { NotFoundError, PreconditionRequiredError } from '../src/errors';
import { actorName } from '../src/http/access-control';
import { QueryReader } from '../src/http/query';
import { handle } from '../src/http/route-table';
import { parseBody } from '../src/http/validate';
import type { RulesService } from '../src/rules/rules-service';
import type { RulesHistoryService } from '../src/rules-history/rules-history-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { RULES_HISTORY_SCHEMA_IDS } from '../src/schemas/rules-history-schemas';

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

  handle(router, 'listRulesHistory', async (req, res) => {
    const query = new QueryReader(req, ['limit', 'cursor']);
    const limit = query.limit(50, 500);
    const cursor = query.cursor();
    query.done();
    res.json(await history.list({ limit, ...(cursor ? { cursor } : {}) }));
  });

  handle(router, 'rollbackRules', async (req, res) => {
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
