import { Router } from 'express';
import { QueryReader } from '../src/http/query';
import { parseBody } from '../src/http/validate';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { NewPromptVersion, PromptVersions } from '../src/targets/prompt-versions';
import { PROMPT_SCHEMA_IDS } from '../src/schemas/prompt-schemas';

/** The prompt registry: versions are added here; rollbacks happen through prompt_rollback actions. */
export interface PromptsRouterDeps {
  prompts: Pick<PromptVersions, 'list' | 'get' | 'getActive' | 'addVersion'>;
  schemas: SchemaRegistry;
}

export function createPromptsRouter({ prompts, schemas }: PromptsRouterDeps): Router {
  const router = Router();

  router.get('/api/prompts', async (req, res) => {
    new QueryReader(req, []).done();
    res.json({ items: await prompts.list() });
  });

  router.get('/api/prompts/:name', async (req, res) => {
    new QueryReader(req, []).done();
    const prompt = await prompts.get(req.params.name);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.json({ ...prompt, active });
  });

  router.get('/api/prompts/:name/active', async (req, res) => {
    new QueryReader(req, []).done();
    const version = await prompts.getActive(req.params.name);
    res.json({ name: req.params.name, ...version });
  });

  router.post('/api/prompts/:name/versions', async (req, res) => {
    new QueryReader(req, []).done();
    const body = parseBody<NewPromptVersion>(schemas, PROMPT_SCHEMA_IDS.versionRequest, req.body);
    const { prompt, version } = await prompts.addVersion(req.params.name, body);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.status(201).json({ version, prompt: { ...prompt, active } });
  });

  return router;
}
