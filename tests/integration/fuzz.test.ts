import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { OpenApiDocument } from '../../src/openapi/build-document';
import { type FuzzRequest, operationsOf, rejectedRequestArb, requestArb } from '../helpers/fuzz-requests';
import { ResponseChecker } from '../helpers/openapi-contract';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * Property-based fuzzing of every route, generated from the OpenAPI document. Knobs (docs/security.md):
 * FUZZ_SEED (default fixed, so CI is reproducible), FUZZ_RUNS (phase 1), FUZZ_REJECTED_RUNS (phase 2).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20260301);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const REJECTED_RUNS = Number(process.env.FUZZ_REJECTED_RUNS ?? 600);

interface Reply {
  status: number;
  type: string;
  text: string;
  body: unknown;
}

/** One raw request over a real socket (no client-side JSON handling in the way). */
function send(port: number, r: FuzzRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: r.method.toUpperCase(),
        path: r.path,
        // A body always goes with its length: Node sends GET/DELETE bodies unframed otherwise.
        headers: r.body === undefined ? r.headers : { ...r.headers, 'Content-Length': String(Buffer.byteLength(r.body)) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // A reply cut off mid-way is a failure to report, not a wait forever.
        res.on('close', () => { if (!res.complete) reject(new Error(`reply cut off after ${Buffer.concat(chunks).length} bytes: ${r.method} ${r.path.slice(0, 200)}`)); });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, type, text, body });
        });
      },
    );
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}

function fuzzRules() {
  return rulesDoc(
    rule('fuzz-alert', { cooldownMinutes: 0 }),
    rule('fuzz-throttle', { cooldownMinutes: 0, conditions: { all: [{ fact: 'costPerHour', operator: 'greaterThan', value: 5 }] }, action: { type: 'throttle', params: {} } }),
    rule('fuzz-approval', { requiresApproval: true, conditions: { any: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] } }),
  );
}

/** Everything a client could observe of the store, plus the rules file bytes and events sent. */
function observableState(t: TestApp): string {
  const db = new Database(t.config.store.sqlite.path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>)
      .map((r) => r.name)
      // Leases are renewed by the clock-driven sweeps, not by requests.
      .filter((name) => name !== 'leases' && !name.startsWith('sqlite_'));
    const dump: Record<string, unknown> = {};
    for (const table of tables) dump[table] = db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all();
    dump.rulesFile = fs.readFileSync(t.rulesFile, 'utf8');
    dump.events = t.notifier.events.length;
    return JSON.stringify(dump);
  } finally {
    db.close();
  }
}

describe('fuzz: generated hostile requests to every route', () => {
  let t: TestApp;
  let server: http.Server;
  let port: number;
  let doc: OpenApiDocument;
  let checker: ResponseChecker;
  const pollution = () => Object.keys(Object.prototype).concat(Object.keys(Array.prototype));

  beforeAll(async () => {
    t = await buildTestApp({ rules: fuzzRules() });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    doc = (await send(port, { method: 'get', path: '/api/openapi.json', headers: {} })).body as OpenApiDocument;
    checker = new ResponseChecker(doc);
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.stop();
  });

  it(`phase 1: ${RUNS} requests — no 5xx, every answer as documented, errors as problem+json`, async () => {
    const problem = checker.validatorFor('#/components/schemas/Problem');
    const before = pollution();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(operationsOf(doc)), async (r) => {
        const res = await send(port, r);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${r.method.toUpperCase()} ${r.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
        if (res.status >= 500) {
          const logged = t.logLines.filter((l) => l.includes('unhandled error')).slice(-1)[0]?.slice(0, 1500);
          throw new Error(`server error: ${where}\nbody: ${r.body?.slice(0, 500)}\nheaders: ${JSON.stringify(r.headers)}\nlogged: ${logged}`);
        }
        if (res.status >= 400) {
          if (res.type !== 'application/problem+json') throw new Error(`error not problem+json (${res.type}): ${where}`);
          if (!problem(res.body)) throw new Error(`problem body off its schema: ${where}`);
        }
        // A path no template matches (a slash inside a parameter) never reaches a route: the body
        // parser's 4xx or the 404 handler answer it, as problem+json (checked above).
        if (checker.operationFor(r.method, r.path) === null) {
          if (res.status < 400) throw new Error(`an undocumented path was served: ${where}`);
          return;
        }
        const departures = checker.check(r.method, r.path, res);
        if (departures.length > 0) throw new Error(`${where} :: ${departures.map((d) => d.slice(-300)).join('; ')}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(pollution()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(t.logLines.filter((l) => l.includes('unhandled error'))).toEqual([]);
    const health = await send(port, { method: 'get', path: '/api/health', headers: {} });
    expect(health.status).toBe(200);
    // Say what was exercised, so a generator that drifted into only 404s is noticed.
    const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    process.stdout.write(`fuzz phase 1 (seed ${SEED}): ${summary}\n`);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it(`phase 2: ${REJECTED_RUNS} rejected requests leave the store, the rules file and the outbox unchanged`, async () => {
    const samples = fc.sample(rejectedRequestArb(operationsOf(doc)), { numRuns: REJECTED_RUNS, seed: SEED + 1 });
    const before = observableState(t);
    const accepted: string[] = [];
    for (const r of samples) {
      const res = await send(port, r);
      if (res.status < 400 || res.status >= 500) accepted.push(`${r.method.toUpperCase()} ${r.path.slice(0, 200)} ${r.body?.slice(0, 200)} → ${res.status}`);
      else expect(res.type).toBe('application/problem+json');
    }
    expect(accepted).toEqual([]);
    // Let anything a request might have started in the background land before looking.
    await new Promise((r) => setTimeout(r, 100));
    expect(observableState(t)).toEqual(before);
  }, 180_000);
});
