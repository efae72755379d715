import { actorName } from '../src/http/access-control';
import { type Request, Router } from 'express';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import { handle } from '../src/http/route-table';
import type { RulesService } from '../src/rules/rules-service';
import type { SchemaRegistry } from '../src/schemas/registry';

/** The rules file as one document: read it as it is on disk, replace it whole (the console's file editor). */
export function createRulesFileRouter({ rules, schemas }: { rules: Pick<RulesService, 'readFile' | 'replaceFile' | 'status'>; schemas: SchemaRegistry }): Router {
  const router = Router();
  const ifMatch = (req: Request) => req.get('if-match') ?? undefined;

  handle(router, 'getRulesFile', async (req, res) => {
    new QueryReader(req, []).done();
    const { text, version } = await rules.readFile();
    res.setHeader('ETag', `"${version}"`);
    res.json({ file: rules.status().file, version, text });
  });

  handle(router, 'replaceRulesFile', async (req, res) => {
    new QueryReader(req, []).done();
    const doc = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rulesFile, req.body);
    const written = await rules.replaceFile(doc, ifMatch(req), actorName(res, 'api'));
    res.setHeader('ETag', `"${written.version}"`);
    res.json({ version: written.version });
  });

  return router;
}
