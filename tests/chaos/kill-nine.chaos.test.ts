import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActionRecord } from '../../src/domain/action';
import { FAULT_POINTS } from '../../src/domain/fault-points';
import { MongoStore } from '../../src/store/mongo/mongo-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { mongoUriWithDatabase } from '../helpers/test-store';
import { WebhookReceiver, eventually } from '../helpers/webhook-receiver';
import { ChaosPm2, type Slot, TARGET_APP, isDead, startInstance } from './chaos-cluster';

/**
 * kill -9 at every step (docs/reliability.md). Each round starts the instances that are down with a
 * randomly chosen kill point armed, drives ingests, approvals and slow service restarts (a real PM2
 * daemon) from four clients, and kills an instance — at its armed point if the run reaches it,
 * from outside otherwise. At the end a clean pair of instances recovers, and the whole history is
 * checked: every action final or pending approval; no restart twice (PM2's own count); at most one
 * dispatch per cooldown window; every change's event delivered exactly once after deduplication
 * by id; every snapshot answered 200 stored.
 *
 * CHAOS_ROUNDS (default 5) rounds per store; FerretDB too when MONGODB_URI is set.
 */
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 5);
/** How long the clean pair may take to finish what the kills left (abandoned claims alone wait 10 s each). */
const RECOVERY_MS = Number(process.env.CHAOS_RECOVERY_MS ?? 150_000);
const DRIVE_MS = Number(process.env.CHAOS_DRIVE_MS ?? 2500);
const KILL_ODDS = 0.35;
const COOLDOWN_MINUTES = 0.02; // 1.2 s windows: several windows per round
const SECRET = 'chaos-secret';

jest.setTimeout(Math.max(300_000, ROUNDS * 40_000 + 180_000));

const RULES = {
  rules: [
    {
      name: 'chaos-alert',
      description: 'alert_only without approval: dispatch, alert, event',
      enabled: true,
      priority: 1,
      severity: 'warning',
      conditions: { all: [{ fact: 'load', operator: 'greaterThan', value: 50 }] },
      action: { type: 'alert_only', params: { message: 'load high' } },
      cooldownMinutes: COOLDOWN_MINUTES,
      requiresApproval: false,
      notifications: { channels: ['log', 'n8n'] },
    },
    {
      name: 'chaos-restart-approved',
      description: 'service_restart behind an approval',
      enabled: true,
      priority: 2,
      severity: 'critical',
      conditions: { all: [{ fact: 'errors', operator: 'greaterThan', value: 5 }] },
      action: { type: 'service_restart', params: { service: 'chaos' } },
      cooldownMinutes: COOLDOWN_MINUTES,
      requiresApproval: true,
      notifications: { channels: ['log', 'n8n'] },
    },
    {
      name: 'chaos-restart-direct',
      description: 'service_restart straight away: a slow strategy to kill during',
      enabled: true,
      priority: 3,
      severity: 'critical',
      conditions: { all: [{ fact: 'down', operator: 'equal', value: true }] },
      action: { type: 'service_restart', params: { service: 'chaos' } },
      cooldownMinutes: COOLDOWN_MINUTES,
      requiresApproval: false,
      notifications: { channels: ['log', 'n8n'] },
    },
  ],
};

interface Target {
  name: 'sqlite' | 'mongo';
  /** The kill points this store's code passes through. */
  points: string[];
  env(dir: string): Record<string, string>;
  open(dir: string): Promise<Store>;
}

const dbName = `shre_chaos_${crypto.randomBytes(4).toString('hex')}`;
const targets: Target[] = [
  {
    name: 'sqlite',
    points: FAULT_POINTS.filter((p) => !p.startsWith('store.') || p === 'store.transition.in-transaction'),
    env: (dir) => ({ STORE: 'sqlite', SQLITE_PATH: path.join(dir, 'store.db') }),
    open: async (dir) => {
      const s = new SqliteStore({ path: path.join(dir, 'store.db') });
      await s.init();
      return s;
    },
  },
];
if (process.env.MONGODB_URI) {
  const uri = mongoUriWithDatabase(process.env.MONGODB_URI, dbName);
  targets.push({
    name: 'mongo',
    points: FAULT_POINTS.filter((p) => p !== 'store.transition.in-transaction'),
    env: () => ({ STORE: 'mongo', MONGODB_URI: uri }),
    open: async () => {
      const s = new MongoStore({ uri, dbName });
      await s.init();
      return s;
    },
  });
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

async function post(url: string, body: unknown): Promise<Response | null> {
  try {
    return await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch {
    return null; // the instance died under the request: that answer was never a 200
  }
}

describe.each(targets)('kill -9 at every step: $name', (target) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-chaos-'));
  const faultLog = path.join(dir, 'faults.log');
  const receiver = new WebhookReceiver();
  const pm2 = new ChaosPm2();
  const slots: Slot[] = [
    { name: 'a', proc: null, killedBy: null },
    { name: 'b', proc: null, killedBy: null },
  ];
  const acknowledged = new Set<string>(); // snapshot ids answered 200
  let store: Store;

  beforeAll(async () => {
    await receiver.start();
    await pm2.start();
    fs.writeFileSync(path.join(dir, 'rules.json'), `${JSON.stringify(RULES, null, 2)}\n`);
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        services: { chaos: TARGET_APP },
        pm2: { stabilizationMs: 400 },
        cluster: { leaseTtlMs: 1500, leaseRenewMs: 500 },
        approvals: { sweepIntervalMs: 1000 },
        // The check below wants every snapshot answered 200 still stored: retention (10,000 by
        // default) would prune the oldest on purpose once a fast run stores more than that.
        snapshots: { retention: { maxCount: 10_000_000 } },
        // The check below holds every recorded change to exactly one delivery of its own event:
        // the rules' events, not the incident notices that stand in for them by default.
        incidents: { notify: 'rule' },
        notifications: {
          delivery: { maxAttempts: 1000, initialDelayMs: 50, maxDelayMs: 500, timeoutMs: 2000, pollIntervalMs: 100, retentionHours: 1 },
          breaker: { errorThresholdPercentage: 50, volumeThreshold: 1000, resetTimeoutMs: 200, rollingWindowMs: 1000 },
        },
      }),
    );
  });

  afterAll(async () => {
    for (const slot of slots) await slot.proc?.stop('SIGKILL');
    await store?.close().catch(() => undefined);
    await receiver.stop();
    await pm2.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function env(faultPoint: string | null): Record<string, string> {
    return {
      ...target.env(dir),
      CONFIG_FILE: path.join(dir, 'config.json'),
      RULES_FILE: path.join(dir, 'rules.json'),
      RULES_WATCH: 'false',
      PM2_HOME: pm2.home,
      HOME: pm2.home,
      N8N_WEBHOOK_URL: receiver.url,
      N8N_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      ...(faultPoint ? { FAULT_POINTS: `${faultPoint}:${KILL_ODDS}`, FAULT_LOG: faultLog } : {}),
    };
  }

  async function fillSlots(armed: boolean): Promise<void> {
    for (const slot of slots) {
      for (let tries = 0; isDead(slot) && tries < 10; tries += 1) {
        slot.proc = await startInstance(env(armed ? pick(target.points) : null));
      }
    }
  }

  function live(): Slot[] {
    return slots.filter((s) => !isDead(s));
  }

  /** Four clients posting snapshots and approving what waits, until the time is up. */
  async function drive(ms: number): Promise<void> {
    const until = Date.now() + ms;
    const client = async (n: number) => {
      while (Date.now() < until) {
        const slot = live()[0] && pick(live());
        if (!slot?.proc) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const metrics = { load: Math.random() < 0.7 ? 90 : 10, errors: Math.random() < 0.5 ? 9 : 0, down: Math.random() < 0.4 };
        const res = await post(`${slot.proc.url}/api/metrics`, { source: `client-${n}`, timestamp: new Date().toISOString(), metrics });
        if (res?.status === 200) acknowledged.add(((await res.json()) as { snapshotId: string }).snapshotId);
        else if (res) await res.arrayBuffer();
      }
    };
    const approver = async () => {
      const reader = await target.open(dir);
      try {
        while (Date.now() < until) {
          const pending = await reader.listActionsByStatus(['pending_approval']);
          for (const action of pending) {
            const slot = live()[0] && pick(live());
            if (!slot?.proc) continue;
            const res = await post(`${slot.proc.url}/api/self-healing/actions/${action.id}/approve`, { by: 'chaos-approver' });
            await res?.arrayBuffer().catch(() => undefined);
          }
          await new Promise((r) => setTimeout(r, 150));
        }
      } finally {
        await reader.close();
      }
    };
    // If no armed point has killed anyone by a random moment of the round, kill from outside there.
    const outside = async () => {
      await new Promise((r) => setTimeout(r, ms * (0.3 + Math.random() * 0.6)));
      if (live().length < slots.length) return;
      const victim = pick(slots);
      victim.proc!.child.kill('SIGKILL');
      await victim.proc!.exited;
      killsFromOutside.push(victim.name);
    };
    await Promise.all([client(1), client(2), client(3), client(4), approver(), outside()]);
  }

  const killsFromOutside: string[] = [];

  it('keeps every promise over the whole history', async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      await fillSlots(true);
      await drive(DRIVE_MS);
      process.stdout.write(`[chaos ${target.name}] round ${round}/${ROUNDS}: ${live().length} of ${slots.length} alive after the kill\n`);
    }

    // Recovery: every instance killed, then a clean pair takes over and finishes what it can.
    for (const slot of slots) {
      if (!isDead(slot)) {
        slot.proc!.child.kill('SIGKILL');
        await slot.proc!.exited;
      }
    }
    await fillSlots(false);
    store = await target.open(dir);
    // What is still left, so that a recovery that does not finish says where it is stuck.
    const leftOver = async () => {
      const open = await store.listActionsByStatus(['running', 'approved']);
      const relay = await store.committedEvents.pending(20);
      const outbox = (await store.notifications.listOutbox({ status: ['pending'], limit: 20 })).items;
      return {
        done: open.length === 0 && relay.length === 0 && outbox.length === 0,
        open: open.map((a) => ({ id: a.id, status: a.status, runner: a.runner, steps: a.steps })),
        relay: relay.map((p) => p.event.type),
        outbox: outbox.map((o) => ({ id: o.id, attempts: o.attempts, nextAttemptAt: o.nextAttemptAt, lastError: o.lastError })),
      };
    };
    try {
      await eventually(async () => (await leftOver()).done, RECOVERY_MS, 'recovery: no running or approved action, nothing left to relay or deliver');
    } catch (err) {
      process.stdout.write(`[chaos ${target.name}] recovery did not finish; left: ${JSON.stringify(await leftOver())}\n`);
      for (const slot of slots) process.stdout.write(`[chaos ${target.name}] ${slot.name} log tail:\n${slot.proc?.output().split('\n').slice(-15).join('\n') ?? ''}\n`);
      throw err;
    }

    const actions: ActionRecord[] = [];
    for (let cursor: string | undefined; ; ) {
      const page = await store.listActions({ limit: 200, ...(cursor ? { cursor } : {}) });
      actions.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const checks: string[] = [];
    const problems: string[] = [];

    // 1. every action final or pending approval
    const unfinished = actions.filter((a) => !['succeeded', 'failed', 'rejected', 'expired', 'pending_approval'].includes(a.status));
    if (unfinished.length) problems.push(`actions not final: ${unfinished.map((a) => `${a.id}=${a.status}`).join(', ')}`);
    checks.push(`${actions.length} actions final or pending approval`);

    // 2. no action executed twice: PM2's own restart count against the reloads the actions recorded
    // (a reload can only have happened after its "before" step, and surely did once "after" is written)
    const reloadStep = (a: ActionRecord, phase: 'before' | 'after') => (a.steps ?? []).some((s) => s.name === 'pm2 reload' && s.phase === phase);
    const restarts = actions.filter((a) => a.type === 'service_restart');
    const started = restarts.filter((a) => reloadStep(a, 'before')).length;
    const completed = restarts.filter((a) => reloadStep(a, 'after')).length;
    const counted = await pm2.restarts();
    if (counted > started || counted < completed) {
      problems.push(`PM2 restarted ${TARGET_APP} ${counted} times; actions recorded ${started} reloads begun and ${completed} completed`);
    }
    checks.push(`PM2 restarts ${counted}: at least the ${completed} reloads recorded as done, at most the ${started} begun (of ${restarts.length} restart actions)`);

    // 3. at most one dispatch per cooldown window, per rule
    for (const rule of RULES.rules) {
      const times = actions.filter((a) => a.rule === rule.name).map((a) => a.createdAt.getTime()).sort((x, y) => x - y);
      for (let i = 1; i < times.length; i += 1) {
        if (times[i]! - times[i - 1]! < COOLDOWN_MINUTES * 60_000) problems.push(`${rule.name} dispatched twice within one cooldown window`);
      }
    }
    checks.push('at most one dispatch per cooldown window for each rule');

    // 4. every change's event delivered exactly once after deduplication by id
    const delivered = new Map<string, { type: string; actionId: string | null; alertId: string | null }>();
    let duplicates = 0;
    for (const r of receiver.delivered()) {
      const e = r.json as { id: string; type: string; action: { id: string } | null; data: { alertId?: string } };
      if (delivered.has(e.id)) duplicates += 1;
      delivered.set(e.id, { type: e.type, actionId: e.action?.id ?? null, alertId: e.data.alertId ?? null });
    }
    const seen = new Map<string, number>();
    for (const e of delivered.values()) {
      const key = e.type === 'alert.created' ? `alert:${e.alertId}` : `${e.type}:${e.actionId}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const expected: string[] = [];
    for (const a of actions) {
      if (a.expiresAt !== null) expected.push(`action.pending_approval:${a.id}`);
      if (a.status !== 'pending_approval') expected.push(`action.${a.status}:${a.id}`);
    }
    for (let cursor: string | undefined; ; ) {
      const page = await store.listAlerts({ limit: 200, ...(cursor ? { cursor } : {}) });
      expected.push(...page.items.map((al) => `alert:${al.id}`));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const missing = expected.filter((k) => seen.get(k) !== 1);
    if (missing.length) problems.push(`events not delivered exactly once: ${missing.slice(0, 10).map((k) => `${k} x${seen.get(k) ?? 0}`).join(', ')}`);
    const unexpected = [...seen.keys()].filter((k) => !expected.includes(k));
    if (unexpected.length) problems.push(`events for changes not on record: ${unexpected.slice(0, 10).join(', ')}`);
    checks.push(`${expected.length} state changes, each event delivered exactly once after dedup (${duplicates} duplicate deliveries dropped by id)`);

    // 5. no snapshot that got a 200 lost
    let lost = 0;
    for (const id of acknowledged) if (!(await store.getSnapshot(id))) lost += 1;
    if (lost) problems.push(`${lost} of ${acknowledged.size} snapshots answered 200 are not stored`);
    checks.push(`${acknowledged.size} snapshots answered 200, ${lost === 0 ? 'all' : acknowledged.size - lost} stored`);

    const log = fs.existsSync(faultLog) ? fs.readFileSync(faultLog, 'utf8').split('\n').filter(Boolean) : [];
    const kills = new Map<string, number>();
    const reached = new Map<string, number>();
    for (const line of log) {
      const [kind, point] = line.split(' ');
      const into = kind === 'kill' ? kills : reached;
      into.set(point!, (into.get(point!) ?? 0) + 1);
    }
    process.stdout.write(
      [
        `[chaos ${target.name}] ${ROUNDS} rounds, ${actions.length} actions, ${acknowledged.size} snapshots`,
        `  kills at points: ${[...kills].map(([p, n]) => `${p} x${n}`).join(', ') || 'none'}; from outside: ${killsFromOutside.length}`,
        `  points reached without a kill: ${[...reached].map(([p, n]) => `${p} x${n}`).join(', ') || 'none'}`,
        `  points never reached: ${target.points.filter((p) => !kills.has(p) && !reached.has(p)).join(', ') || 'none'}`,
        ...checks.map((c) => `  check: ${c}`),
        ...problems.map((p) => `  FAILED: ${p}`),
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(actions.length).toBeGreaterThan(0);
  });
});
