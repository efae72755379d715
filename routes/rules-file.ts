import { actorName } from '../src/http/access-control';
import { type Request, Router } from 'express';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { RulesService } from '../src/rules/rules-service';
import type { SchemaRegistry } from '../src/schemas/registry';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { rulesFileSchema, rulesFileWrittenSchema } from '../src/schemas/console-schemas';

export const RULES_FILE_ROUTES = declareRoutes({
  getRulesFile: {
    method: 'GET',
    path: '/api/self-healing/rules-file',
    access: 'viewer',
    tag: 'rules',
    summary: 'The rules file exactly as it is on disk (valid or not) and its version',
    responses: [{ status: 200, description: 'The file.', schema: rulesFileSchema, headers: ['ETag'] }],
  },
  replaceRulesFile: {
    method: 'PUT',
    path: '/api/self-healing/rules-file',
    access: 'admin',
    tag: 'rules',
    summary: 'Replace the whole rules file (also when the file on disk is invalid)',
    parameters: [{ name: 'If-Match', in: 'header', description: 'The version read; a stale one is refused with 412.', schema: { type: 'string' } }],
    body: { schema: SCHEMA_IDS.rulesFile, required: true },
    responses: [{ status: 200, description: 'Written and in force.', schema: rulesFileWrittenSchema, headers: ['ETag'] }],
    errors: [
      { status: 412, description: 'The file changed since it was read (`currentVersion`).' },
      { status: 503, description: 'The rules file is locked by another writer for too long.' },
    ],
  },
});

/** The rules file as one document: read it as it is on disk, replace it whole (the console's file editor). */
export function createRulesFileRouter({ rules, schemas }: { rules: Pick<RulesService, 'readFile' | 'replaceFile' | 'status'>; schemas: SchemaRegistry }): Router {
  const router = Router();
  const ifMatch = (req: Request) => req.get('if-match') ?? undefined;

  mount(router, RULES_FILE_ROUTES.getRulesFile, async (req, res) => {
    const { text, version } = await rules.readFile();
    res.setHeader('ETag', `"${version}"`);
    res.json({ file: rules.status().file, version, text });
  });

  mount(router, RULES_FILE_ROUTES.replaceRulesFile, async (req, res) => {
    const doc = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rulesFile, req.body);
    const written = await rules.replaceFile(doc, ifMatch(req), actorName(res, 'api'));
    res.setHeader('ETag', `"${written.version}"`);
    res.json({ version: written.version });
  });

  return router;
}
