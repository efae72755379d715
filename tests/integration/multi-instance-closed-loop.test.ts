import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process';
import { callService, ingest as ingestAs, logLines } from '../helpers/service-client';
import { waitFor } from '../helpers/wait-for';
import { makeTempDir } from '../helpers/test-app';
import { mongoUriWithDatabase } from '../helpers/test-store';

// Two real service processes (dist/src/server.js, built by `npm test`) on one store, with a real
// clock and windows of about two seconds: one budget shared by both, one verification decided
// once, one revert, and the pause switch seen by both.
const VERIFY_WINDOW_MINUTES = 0.03; // 1.8 s

interface Decision {
  rule: string;
  decision: string;
  actionId?: string;
  target?: string;
}
interface ActionView {
  id: string;
  status: string;
  outcome?: string;
  revertOf?: string;
  revertedBy?: string;
  requestedBy: string;
}

const ingest = (proc: ServiceProcess, metrics: Record<string, unknown>) => ingestAs<Decision>(proc, metrics, 'agentx');

async function scenario(storeEnv: Record<string, string>): Promise<void> {
  const dir = makeTempDir('shre-multi-loop-');
  const rulesFile = path.join(dir, 'rules.json');
  const when = (fact: string) => ({ all: [{ fact, operator: 'equal', value: 1 }] });
  fs.writeFileSync(
    rulesFile,
    JSON.stringify(
      rulesDoc(
        rule('budgeted', {
          conditions: when('load'),
          cooldownMinutes: 0,
          maxActionsPerTarget: 2,
          verify: false,
          action: { type: 'throttle', params: { factor: 0.5 } },
        }),
        rule('quality', {
          conditions: when('quality'),
          cooldownMinutes: 10,
          verify: { windowMinutes: VERIFY_WINDOW_MINUTES, onIneffective: 'revert' },
          action: { type: 'prompt_rollback', params: { prompt: 'main' } },
        }),
      ),
    ),
  );
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ verify: { sweepIntervalMs: 100 }, limits: { perTarget: { windowMinutes: 60, maxActions: 3 } } }));
  const env = {
    ...storeEnv,
    CONFIG_FILE: configFile,
    RULES_FILE: rulesFile,
    RULES_WATCH: 'false',
    LOG_FORMAT: 'json',
    LEASE_TTL_MS: '3000',
    LEASE_RENEW_MS: '500',
  };
  const procs: ServiceProcess[] = [];
  try {
    const a = await startServiceProcess(env);
    procs.push(a);
    const b = await startServiceProcess(env);
    procs.push(b);

    // --- one budget for the target, however the snapshots are spread over the instances.
    const load = (await Promise.all(Array.from({ length: 20 }, (_, i) => ingest(i % 2 ? a : b, { load: 1 })))).flat();
    expect(load.filter((d) => d.decision === 'execute')).toHaveLength(2);
    // The rest are held by the budget; with a zero cooldown a dispatch racing one made a moment
    // later on the other instance can also be answered `cooldown` (that window ends as it starts).
    const held = load.filter((d) => d.decision !== 'execute');
    expect(held.every((d) => d.decision === 'budget_exhausted' || d.decision === 'cooldown')).toBe(true);
    expect(held.filter((d) => d.decision === 'budget_exhausted').length).toBeGreaterThanOrEqual(10);
    expect(new Set(load.filter((d) => d.decision === 'budget_exhausted').map((d) => d.target))).toEqual(new Set(['throttle']));
    // Every refusal names the same moment a slot frees: when the older of the two actions leaves the window.
    expect(new Set(load.filter((d) => d.decision === 'budget_exhausted').map((d) => (d as { until?: string }).until)).size).toBe(1);
    const alerts = await callService<{ items: Array<{ message: string }> }>(b, 'GET', '/api/self-healing/alerts?severity=critical');
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]!.message).toMatch(/automation for throttle is held/);

    // --- the pause switch, set at one instance, holds the other.
    expect((await callService(a, 'POST', '/api/self-healing/pause', { reason: 'both see it' })).status).toBe(200);
    expect((await ingest(b, { quality: 1 }))[0]!.decision).toBe('paused');
    expect((await callService<{ resumed: boolean }>(b, 'DELETE', '/api/self-healing/pause')).body.resumed).toBe(true);

    // --- one verification, decided once, and one revert.
    expect((await callService(a, 'POST', '/api/prompts/main/versions', { content: 'v1' })).status).toBe(201);
    expect((await callService(a, 'POST', '/api/prompts/main/versions', { content: 'v2', activate: true })).status).toBe(201);
    const [fired] = await ingest(a, { quality: 1 });
    expect(fired).toMatchObject({ rule: 'quality', decision: 'execute' });
    const id = fired!.actionId!;
    await waitFor(async () => (await callService<ActionView>(b, 'GET', `/api/self-healing/actions/${id}`)).body.status === 'succeeded', {
      what: 'the rollback to finish',
      timeoutMs: 5000,
    });
    // Still bad, at both instances, during the window.
    await Promise.all([ingest(a, { quality: 1 }), ingest(b, { quality: 1 })]);
    const decided = await waitFor(
      async () => {
        const x = (await callService<ActionView>(b, 'GET', `/api/self-healing/actions/${id}`)).body;
        if (x.outcome !== 'ineffective' || !x.revertedBy) return undefined;
        const r = (await callService<ActionView>(a, 'GET', `/api/self-healing/actions/${x.revertedBy}`)).body;
        return r.status === 'succeeded' ? x : undefined;
      },
      { what: 'the outcome and its revert', timeoutMs: VERIFY_WINDOW_MINUTES * 60_000 + 8000 },
    );
    const reverts = (await callService<{ items: ActionView[] }>(a, 'GET', '/api/self-healing/actions?rule=quality&limit=50')).body.items.filter((x) => x.revertOf === id);
    expect(reverts).toHaveLength(1);
    expect(reverts[0]).toMatchObject({ id: decided.revertedBy, requestedBy: `verify:${id}` });
    expect((await callService<{ version: number }>(b, 'GET', '/api/prompts/main/active')).body.version).toBe(2);

    const lines = [...logLines(a), ...logLines(b)];
    expect(lines.filter((l) => l.message === 'action ineffective' && l.actionId === id)).toHaveLength(1);
    expect(lines.filter((l) => l.message === 'event action.verified')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  } finally {
    for (const p of procs) await p.stop('SIGKILL').catch(() => undefined);
  }
}

describe('two service processes on one store: the closed loop', () => {
  it('on SQLite: one budget, one pause, one verification decision, one revert', async () => {
    const dir = makeTempDir('shre-multi-loop-db-');
    await scenario({ STORE: 'sqlite', SQLITE_PATH: path.join(dir, 'store.db') });
  }, 60_000);

  const mongoUri = process.env.MONGODB_URI;
  const onMongo = mongoUri ? it : it.skip;
  onMongo(
    mongoUri ? 'on MongoDB (MONGODB_URI): the same' : 'on MongoDB: SKIPPED because MONGODB_URI is not set',
    async () => {
      const db = `shre_loop_${randomUUID().slice(0, 8)}`;
      const uri = mongoUriWithDatabase(mongoUri!, db);
      try {
        await scenario({ STORE: 'mongo', MONGODB_URI: uri });
      } finally {
        const mongoose = await import('mongoose');
        const conn = await mongoose.createConnection(uri).asPromise().catch(() => null);
        await conn?.dropDatabase().catch(() => undefined);
        await conn?.close();
      }
    },
    60_000,
  );
});
