import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { ActionRecord } from '../../src/domain/action';
import type { Prompt } from '../../src/domain/state';
import type { PipelineDeps } from '../../src/execution/pipeline-deps';
import {
  PROMPT_LIMITS,
  PromptConflictError,
  PromptNotFoundError,
  PromptVersions,
} from '../../src/targets/prompt-versions';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { createPromptRollbackStrategy } from '../../src/strategies/prompt-rollback';
import { StrategyFailure } from '../../src/strategies/strategy';
import { RecordingNotifier } from '../helpers/recording-notifier';

const logger = winston.createLogger({ silent: true });
const config = loadConfig({ env: {} });

function depsFor(store: SqliteStore, clock = new ManualClock('2026-03-01T10:00:00Z')): PipelineDeps {
  return { store, config, clock, logger, notifier: new RecordingNotifier() };
}

function activeVersions(prompt: Prompt): number[] {
  return prompt.versions.filter((v) => v.active).map((v) => v.version);
}

async function seed(registry: PromptVersions, name: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await registry.addVersion(name, { content: `content v${i}`, description: `v${i}`, activate: true });
  }
}

function actionFor(params: Record<string, unknown>): ActionRecord {
  const at = new Date('2026-03-01T10:00:00Z');
  return {
    id: 'a1',
    rule: 'low-prompt-quality',
    type: 'prompt_rollback',
    params,
    severity: 'warning',
    status: 'running',
    requestedBy: 'ingest:test',
    snapshotId: null,
    snapshot: null,
    matchedFacts: {},
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    startedAt: at,
    finishedAt: null,
    result: null,
    error: null,
  };
}

describe('PromptVersions', () => {
  let store: SqliteStore;
  let registry: PromptVersions;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    registry = new PromptVersions(depsFor(store));
  });
  afterEach(() => store.close());

  it('makes the first version of a new prompt active, numbers versions 1, 2, 3', async () => {
    const first = await registry.addVersion('main', { content: 'hello' });
    expect(first.version).toMatchObject({ version: 1, active: true, content: 'hello' });
    expect(first.prompt.activeVersion).toBe(1);

    const second = await registry.addVersion('main', { content: 'hello 2' });
    expect(second.version).toMatchObject({ version: 2, active: false });
    expect(second.prompt.activeVersion).toBe(1);

    const third = await registry.addVersion('main', { content: 'hello 3', activate: true });
    expect(third.version).toMatchObject({ version: 3, active: true });
    expect(activeVersions(third.prompt)).toEqual([3]);
    expect((await registry.getActive('main')).content).toBe('hello 3');
  });

  it('keeps the first version active even when asked not to activate it', async () => {
    const { prompt } = await registry.addVersion('p', { content: 'x', activate: false });
    expect(activeVersions(prompt)).toEqual([1]);
  });

  it('lists prompts as summaries', async () => {
    await seed(registry, 'b', 2);
    await seed(registry, 'a', 1);
    expect(await registry.list()).toEqual([
      { name: 'a', activeVersion: 1, latestVersion: 1, versionCount: 1, updatedAt: '2026-03-01T10:00:00.000Z' },
      { name: 'b', activeVersion: 2, latestVersion: 2, versionCount: 2, updatedAt: '2026-03-01T10:00:00.000Z' },
    ]);
  });

  it('rolls back to the previous version and deactivates the current one', async () => {
    await seed(registry, 'main', 3);
    expect(await registry.rollback('main')).toEqual({ prompt: 'main', from: 3, to: 2 });
    const prompt = await registry.get('main');
    expect(prompt.activeVersion).toBe(2);
    expect(activeVersions(prompt)).toEqual([2]);
    expect(prompt.versions).toHaveLength(3);

    expect(await registry.rollback('main')).toEqual({ prompt: 'main', from: 2, to: 1 });
    expect((await registry.getActive('main')).version).toBe(1);
  });

  it('rolls back to the highest version below the active one, not the latest', async () => {
    await seed(registry, 'main', 2);
    await registry.addVersion('main', { content: 'v3, not activated' });
    expect(await registry.rollback('main')).toEqual({ prompt: 'main', from: 2, to: 1 });
  });

  it('refuses a rollback without a previous version and changes nothing', async () => {
    await seed(registry, 'single', 1);
    const before = await store.getPrompt('single');
    await expect(registry.rollback('single')).rejects.toMatchObject({
      constructor: PromptConflictError,
      reason: 'no_previous_version',
      status: 409,
    });
    expect(await store.getPrompt('single')).toEqual(before);
  });

  it('refuses a rollback of an unknown prompt and creates nothing', async () => {
    await expect(registry.rollback('nope')).rejects.toBeInstanceOf(PromptNotFoundError);
    await expect(registry.rollback('nope')).rejects.toMatchObject({ status: 404, reason: 'unknown_prompt' });
    expect(await store.getPrompt('nope')).toBeNull();
  });

  it('validates names and sizes', async () => {
    await expect(registry.addVersion('-bad', { content: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(registry.addVersion('a/b', { content: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(
      registry.addVersion('big', { content: 'x'.repeat(PROMPT_LIMITS.contentMaxLength + 1) }),
    ).rejects.toMatchObject({ status: 400, errors: [{ pointer: '/content' }] });
    await expect(registry.addVersion('empty', { content: '' })).rejects.toMatchObject({ status: 400 });
    expect(await registry.list()).toEqual([]);
  });

  it('refuses more versions than the limit', async () => {
    const versions = Array.from({ length: PROMPT_LIMITS.maxVersions }, (_, i) => ({
      version: i + 1,
      content: 'c',
      createdAt: '2026-03-01T10:00:00.000Z',
      active: i === 0,
    }));
    expect(await store.savePrompt({ name: 'full', versions, activeVersion: 1 }, 0)).toBe(true);
    await expect(registry.addVersion('full', { content: 'one more' })).rejects.toMatchObject({
      status: 409,
      reason: 'version_limit',
    });
    expect((await registry.get('full')).versions).toHaveLength(PROMPT_LIMITS.maxVersions);
  });

  it('two concurrent rollbacks of versions 1..3 end on 1 or 2 with exactly one active version', async () => {
    await seed(registry, 'main', 3);
    const results = await Promise.allSettled([registry.rollback('main'), registry.rollback('main')]);
    const prompt = await registry.get('main');
    expect([1, 2]).toContain(prompt.activeVersion);
    expect(activeVersions(prompt)).toEqual([prompt.activeVersion]);
    // Each successful rollback moved exactly one step, from the version the other left behind.
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(new Set(done.map((d) => d.from)).size).toBe(done.length);
  });

  it('keeps the invariant under many concurrent adds and rollbacks', async () => {
    await seed(registry, 'busy', 3);
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      ops.push(registry.rollback('busy').catch(() => undefined));
      ops.push(registry.addVersion('busy', { content: `n${i}`, activate: i % 2 === 0 }));
    }
    await Promise.all(ops);
    const prompt = await registry.get('busy');
    expect(prompt.versions.map((v) => v.version)).toEqual(Array.from({ length: 7 }, (_, i) => i + 1));
    expect(activeVersions(prompt)).toEqual([prompt.activeVersion]);
  });
});

describe('PromptVersions over one SQLite file with two connections', () => {
  let dir: string;
  let stores: SqliteStore[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-prompts-'));
    const file = path.join(dir, 'store.db');
    stores = [new SqliteStore({ path: file }), new SqliteStore({ path: file })];
    for (const s of stores) await s.init();
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('concurrent rollbacks from two instances end on 1 or 2 with exactly one active version', async () => {
    const [a, b] = stores.map((s) => new PromptVersions(depsFor(s))) as [PromptVersions, PromptVersions];
    await seed(a, 'main', 3);
    const results = await Promise.allSettled([a.rollback('main'), b.rollback('main')]);
    for (const registry of [a, b]) {
      const prompt = await registry.get('main');
      expect([1, 2]).toContain(prompt.activeVersion);
      expect(activeVersions(prompt)).toEqual([prompt.activeVersion]);
    }
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(new Set(done.map((d) => d.from)).size).toBe(done.length);
  });
});

describe('prompt_rollback strategy', () => {
  let store: SqliteStore;
  let registry: PromptVersions;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    registry = new PromptVersions(depsFor(store));
  });
  afterEach(() => store.close());

  function run(params: Record<string, unknown>) {
    const deps = depsFor(store);
    const strategy = createPromptRollbackStrategy({ ...deps, prompts: registry });
    return strategy.execute({
      action: actionFor(params),
      params,
      rule: null,
      signal: new AbortController().signal,
      logger,
    });
  }

  it('reports what changed', async () => {
    await seed(registry, 'main', 3);
    const result = await run({ prompt: 'main' });
    expect(result).toMatchObject({
      changed: true,
      details: { prompt: 'main', from: 3, to: 2 },
      summary: 'prompt "main" rolled back from version 3 to version 2',
    });
    expect(result.checks?.every((c) => c.ok)).toBe(true);
    expect((await registry.getActive('main')).version).toBe(2);
  });

  it('fails with the reason when there is no previous version, changing nothing', async () => {
    await seed(registry, 'main', 1);
    const error = await run({ prompt: 'main' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyFailure);
    expect((error as StrategyFailure).message).toMatch(/no version before the active version 1/);
    expect((error as StrategyFailure).details).toEqual({ prompt: 'main', reason: 'no_previous_version' });
    expect((await registry.getActive('main')).version).toBe(1);
  });

  it('fails with the reason for an unknown prompt', async () => {
    const error = await run({ prompt: 'ghost' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyFailure);
    expect((error as StrategyFailure).details).toEqual({ prompt: 'ghost', reason: 'unknown_prompt' });
    expect(await store.getPrompt('ghost')).toBeNull();
  });

  it('fails on missing params', async () => {
    await expect(run({})).rejects.toBeInstanceOf(StrategyFailure);
  });

  it('does not write once the signal is aborted', async () => {
    await seed(registry, 'main', 3);
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    const strategy = createPromptRollbackStrategy({ ...depsFor(store), prompts: registry });
    await expect(
      strategy.execute({ action: actionFor({ prompt: 'main' }), params: { prompt: 'main' }, rule: null, signal: controller.signal, logger }),
    ).rejects.toThrow('timed out');
    expect((await registry.getActive('main')).version).toBe(3);
  });
});
