import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envNumber } from './env-number';
import { generateRulesDocument, generateSnapshots } from './generate-rules';
import { freePort, stopChild, waitReady } from './ingest-bench';

/**
 * `npm run bench:paired`: the (b') load — 1,000 generated rules, one generated snapshot posted again
 * and again — on two services at once, each from its own node binary and project copy, with the
 * service CPU a request of each read from /proc/<pid>/stat (Linux) over the same seconds.
 *
 * Why a pair: on this VM the CPU a request costs drifts by up to 1.8x between runs of the same build
 * a few minutes apart (docs/benchmarks.md), which hides any change under 30 %. Two services loaded
 * side by side meet the same drift, so the ratio of their costs holds within a few percent.
 *
 * PAIR_A / PAIR_B: `<node binary>:<project root>` (default: this node and this checkout for both,
 * which measures the harness's own noise); PAIR_SECONDS [6] per round, PAIR_ROUNDS [5],
 * PAIR_CONNECTIONS [5] per service. Each root needs a built dist/ and its node_modules.
 */

interface Autocannon {
  (opts: Record<string, unknown>): Promise<{ requests: { total: number }; non2xx: number; errors: number; timeouts: number }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

interface Side {
  name: string;
  node: string;
  root: string;
}

function sideOf(name: string, value: string | undefined): Side {
  if (value === undefined || value === '') return { name, node: process.execPath, root: path.resolve(__dirname, '..', '..') };
  const at = value.indexOf(':');
  if (at <= 0) throw new Error(`${name} must be <node binary>:<project root>, got "${value}"`);
  return { name, node: value.slice(0, at), root: value.slice(at + 1) };
}

/** User plus system CPU of a process so far, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function startService(side: Side, dir: string, rulesFile: string, configFile: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(side.node, [path.join(side.root, 'dist', 'src', 'server.js')], {
    cwd: side.root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STORE: 'sqlite', SQLITE_PATH: path.join(dir, `${side.name}.db`), RULES_FILE: rulesFile, CONFIG_FILE: configFile, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  await waitReady(url, child, 30_000);
  return { url, child };
}

async function main(): Promise<void> {
  const sides = [sideOf('PAIR_A', process.env.PAIR_A), sideOf('PAIR_B', process.env.PAIR_B)];
  const seconds = envNumber('PAIR_SECONDS', 6);
  const rounds = envNumber('PAIR_ROUNDS', 5);
  const connections = envNumber('PAIR_CONNECTIONS', 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-paired-'));
  const rulesFile = path.join(dir, 'rules.json');
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(rulesFile, JSON.stringify(generateRulesDocument(1000)));
  // One client for each service: the default ingest limit would answer 429 within the first minute.
  fs.writeFileSync(configFile, JSON.stringify({ auth: { rateLimit: { ingestPerMinute: 1_000_000_000 } } }));
  const body = JSON.stringify({ source: 'bench', timestamp: '2026-01-01T00:00:00.000Z', metrics: generateSnapshots(1)[0] });
  const services: { url: string; child: ChildProcess }[] = [];
  try {
    for (const side of sides) services.push(await startService(side, dir, rulesFile, configFile));
    const load = (url: string, duration: number) =>
      autocannon({ url: `${url}/api/metrics`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration });
    await Promise.all(services.map((s) => load(s.url, 3)));
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const before = services.map((s) => cpuMs(s.child.pid!));
      const results = await Promise.all(services.map((s) => load(s.url, seconds)));
      const bad = results.find((r) => r.non2xx + r.errors + r.timeouts > 0);
      if (bad) throw new Error(`round ${round}: ${bad.non2xx} non-2xx, ${bad.errors} errors, ${bad.timeouts} timeouts`);
      const perRequest = services.map((s, i) => (cpuMs(s.child.pid!) - before[i]!) / results[i]!.requests.total);
      ratios.push(perRequest[1]! / perRequest[0]!);
      console.log(
        `round ${round}: A ${(results[0]!.requests.total / seconds).toFixed(0)} req/s ${perRequest[0]!.toFixed(3)} ms CPU/request | ` +
          `B ${(results[1]!.requests.total / seconds).toFixed(0)} req/s ${perRequest[1]!.toFixed(3)} ms CPU/request | B/A ${ratios.at(-1)!.toFixed(3)}`,
      );
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`A = ${sides[0]!.node} in ${sides[0]!.root}\nB = ${sides[1]!.node} in ${sides[1]!.root}`);
    console.log(`B/A CPU a request: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}, range ${sorted[0]!.toFixed(3)}-${sorted.at(-1)!.toFixed(3)}`);
  } finally {
    await Promise.all(services.map((s) => stopChild(s.child, 5_000)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`paired bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
