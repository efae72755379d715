import { Router } from 'express';
import { parseBody } from '../src/http/validate';
import type { SchemaRegistry } from '../src/schemas/registry';
import type { NewPromptVersion, PromptVersions } from '../src/targets/prompt-versions';
import { PROMPT_SCHEMA_IDS, promptVersionRequestSchema } from '../src/schemas/prompt-schemas';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { notFound, promptNameParam } from '../src/http/route-parameters';
import { activePromptSchema, promptListSchema, promptSchema, promptVersionCreatedSchema } from '../src/schemas/prompt-schemas';

export const PROMPT_ROUTES = declareRoutes({
  listPrompts: {
    method: 'GET',
    path: '/api/prompts',
    access: 'viewer',
    tag: 'prompts',
    summary: 'Registered prompts',
    responses: [{ status: 200, description: 'Summaries.', schema: promptListSchema }],
  },
  getPrompt: {
    method: 'GET',
    path: '/api/prompts/:name',
    access: 'viewer',
    tag: 'prompts',
    summary: 'A prompt with all its versions',
    parameters: [promptNameParam],
    responses: [{ status: 200, description: 'The prompt.', schema: promptSchema }],
    errors: [notFound('prompt')],
  },
  getActivePrompt: {
    method: 'GET',
    path: '/api/prompts/:name/active',
    access: 'viewer',
    tag: 'prompts',
    summary: 'The active version of a prompt',
    parameters: [promptNameParam],
    responses: [{ status: 200, description: 'The active version.', schema: activePromptSchema }],
    errors: [notFound('prompt'), { status: 409, description: '`no_active_version`.' }],
  },
  addPromptVersion: {
    method: 'POST',
    path: '/api/prompts/:name/versions',
    access: 'admin',
    tag: 'prompts',
    summary: 'Register a new version (creates the prompt on its first version)',
    parameters: [promptNameParam],
    body: { schema: promptVersionRequestSchema, required: true },
    responses: [{ status: 201, description: 'Added.', schema: promptVersionCreatedSchema }],
    errors: [{ status: 409, description: '`version_limit` or `concurrent_update`.' }],
  },
});

/** The prompt registry: versions are added here; rollbacks happen through prompt_rollback actions. */
export interface PromptsRouterDeps {
  prompts: Pick<PromptVersions, 'list' | 'get' | 'getActive' | 'addVersion'>;
  schemas: SchemaRegistry;
}

export function createPromptsRouter({ prompts, schemas }: PromptsRouterDeps): Router {
  const router = Router();

  mount(router, PROMPT_ROUTES.listPrompts, async (req, res) => {
    res.json({ items: await prompts.list() });
  });

  mount(router, PROMPT_ROUTES.getPrompt, async (req, res) => {
    const prompt = await prompts.get(req.params.name);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.json({ ...prompt, active });
  });

  mount(router, PROMPT_ROUTES.getActivePrompt, async (req, res) => {
    const version = await prompts.getActive(req.params.name);
    res.json({ name: req.params.name, ...version });
  });

  mount(router, PROMPT_ROUTES.addPromptVersion, async (req, res) => {
    const body = parseBody<NewPromptVersion>(schemas, PROMPT_SCHEMA_IDS.versionRequest, req.body);
    const { prompt, version } = await prompts.addVersion(req.params.name, body);
    const active = prompt.versions.find((v) => v.version === prompt.activeVersion) ?? null;
    res.status(201).json({ version, prompt: { ...prompt, active } });
  });

  return router;
}
