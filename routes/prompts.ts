import { Router } from 'express';
import { handle } from '../src/http/route-table';
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

  handle(router, 'listPrompts', async (req, res) => {
    new QueryReader(req, []).done();
    res.json({ items: await prompts.list() });
  });

  handle(router, 'getPrompt', async (req, res) => {
    new QueryReader(req, []).done();
    const prompt = await prompts.get(req.params.name);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.json({ ...prompt, active });
  });

  handle(router, 'getActivePrompt', async (req, res) => {
    new QueryReader(req, []).done();
    const version = await prompts.getActive(req.params.name);
    res.json({ name: req.params.name, ...version });
  });

  handle(router, 'addPromptVersion', async (req, res) => {
    new QueryReader(req, []).done();
    const body = parseBody<NewPromptVersion>(schemas, PROMPT_SCHEMA_IDS.versionRequest, req.body);
    const { prompt, version } = await prompts.addVersion(req.params.name, body);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.status(201).json({ version, prompt: { ...prompt, active } });
  });

  return router;
}
