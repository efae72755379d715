import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startService } from '../src/server';
import { HEALTHY_SNAPSHOT, MATCHING_SNAPSHOT, withDatabase } from './ingest-bench';

/**
 * The MongoDB commands one ingest request costs, counted by the driver's command monitoring
 * (`monitorCommands: true`, the client's `commandStarted` events) in a service started in this
 * process on a MongoDB server (FerretDB in CI and the bench). A command counts for a request when
 * the driver starts it inside that request's context (the X-Request-Id the service's logging
 * context carries) before its reply is read, so the service's own background work (lease renewals,
 * sweeps, the outbox relay) is never counted. Each case is measured several times; the smallest
 * count is kept.
 */
export interface CommandCount {
  case: string;
  /** Commands per request, the smallest of the repeats. */
  commands: number;
  /** Command names of that request, in order. */
  names: string[];
}

export interface StoreCommandsOptions {
  projectRoot: string;
  mongoUri: string;
  /** The storm rules and one of their snapshots: the request for them is counted too (with ?decisions=acted). */
  storm?: { doc: unknown; metrics: Record<string, unknown> };
  repeats?: number;
}

async function countFor(
  rulesFile: string,
  options: StoreCommandsOptions,
  cases: { name: string; route: string; body: unknown; before?: unknown }[],
): Promise<CommandCount[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-commands-'));
  const configFile = path.join(tmp, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ auth: { rateLimit: { ingestPerMinute: 1_000_000_000 } } }));
  // The store opens its own connection: the one made here gets command monitoring switched on.
  const create = mongoose.createConnection.bind(mongoose);
  const connections: mongoose.Connection[] = [];
  const patched = mongoose as unknown as { createConnection: (uri: string, opts?: mongoose.ConnectOptions) => mongoose.Connection };
  patched.createConnection = (uri, opts) => {
    const conn = create(uri, { ...opts, monitorCommands: true });
    connections.push(conn);
    return conn;
  };
  const db = `shre_bench_commands_${process.pid}_${Date.now()}`;
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  try {
    service = await startService({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      STORE: 'mongo',
      MONGODB_URI: withDatabase(options.mongoUri, db),
      RULES_FILE: rulesFile,
      CONFIG_FILE: configFile,
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
    });
    const names: string[] = [];
    let counting: string | null = null;
    const context = service.services.logging.context;
    for (const conn of connections) {
      conn.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
        if (counting !== null && context.getStore()?.requestId === counting) names.push(`${String(e.command[e.commandName])}.${e.commandName}`);
      });
    }
    let n = 0;
    const post = async (route: string, body: unknown, requestId = `bench-commands-${++n}`) => {
      const res = await fetch(`${service!.url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const results: CommandCount[] = [];
    for (const c of cases) {
      if (c.before !== undefined) await post(c.route.split('?')[0]!, c.before);
      let best: string[] | null = null;
      for (let i = 0; i < (options.repeats ?? 5); i++) {
        names.length = 0;
        counting = `bench-commands-count-${++n}`;
        await post(c.route, c.body, counting);
        counting = null;
        if (best === null || names.length < best.length) best = [...names];
      }
      results.push({ case: c.name, commands: best!.length, names: best! });
    }
    return results;
  } finally {
    patched.createConnection = create;
    if (service) {
      const client = connections[0]?.getClient();
      await client?.db(db).dropDatabase().catch(() => undefined);
      await service.shutdown('benchmark done');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Counts the commands of the ingest cases: 12 shipped rules (no match, match in cooldown, a batch of 100) and the storm. */
export async function runStoreCommands(options: StoreCommandsOptions, log: (s: string) => void): Promise<CommandCount[]> {
  const shipped = path.join(options.projectRoot, 'config', 'self-healing-rules.json');
  const counts = await countFor(shipped, options, [
    { name: 'no match, 12 rules', route: '/api/metrics', body: HEALTHY_SNAPSHOT },
    { name: 'match in cooldown, 12 rules', route: '/api/metrics', body: MATCHING_SNAPSHOT, before: MATCHING_SNAPSHOT },
    { name: 'batch of 100 healthy, 12 rules', route: '/api/metrics/batch', body: { snapshots: Array.from({ length: 100 }, () => HEALTHY_SNAPSHOT) } },
  ]);
  if (options.storm) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-commands-rules-'));
    const file = path.join(dir, 'rules.json');
    fs.writeFileSync(file, JSON.stringify(options.storm.doc));
    const body = { source: 'bench', timestamp: HEALTHY_SNAPSHOT.timestamp, metrics: options.storm.metrics };
    try {
      counts.push(...(await countFor(file, options, [{ name: 'storm, 1,000 rules, all in cooldown', route: '/api/metrics?decisions=acted', body, before: body }])));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const c of counts) log(`  ${c.case}: ${c.commands} command(s) a request (${summarize(c.names)})`);
  return counts;
}

function summarize(names: string[]): string {
  const byName = new Map<string, number>();
  for (const n of names) byName.set(n, (byName.get(n) ?? 0) + 1);
  return [...byName].map(([n, k]) => `${k} x ${n}`).join(', ') || 'none';
}
