import { type Request, Router } from 'express';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import { SCHEMA_IDS } from '../src/schemas/registry';
import type { Services } from '../src/services/create-services';

/** The rules file as one document: read it as it is on disk, replace it whole (the console's file editor). */
export function createRulesFileRouter(services: Services): Router {
  const router = Router();
  const { rules, schemas } = services;
  const ifMatch = (req: Request) => req.get('if-match') ?? undefined;

  router.get('/api/self-healing/rules-file', async (req, res) => {
    new QueryReader(req, []).done();
    const { text, version } = await rules.readFile();
    res.setHeader('ETag', `"${version}"`);
    res.json({ file: rules.status().file, version, text });
  });

  router.put('/api/self-healing/rules-file', async (req, res) => {
    new QueryReader(req, []).done();
    const doc = parseBody<Record<string, unknown>>(schemas, SCHEMA_IDS.rulesFile, req.body);
    const written = await rules.replaceFile(doc, ifMatch(req));
    res.setHeader('ETag', `"${written.version}"`);
    res.json({ version: written.version });
  });

  return router;
}
