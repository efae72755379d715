import { RULES_CASES_SCHEMA_IDS } from '../../src/schemas/rules-cases-schemas';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { OpenApiDocument } from '../../src/openapi/build-document';
import { FakeModelHost } from '../helpers/fake-model-host';
import { listDocumentedRoutes, listExpressRoutes, ResponseChecker } from '../helpers/openapi-contract';
import { API_KEYS, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

function testRules() {
  const fact = (name: string) => ({ all: [{ fact: name, operator: 'equal', value: true }] });
  return rulesDoc(
    rule('approve-me', { conditions: fact('needsApproval'), requiresApproval: true, cooldownMinutes: 0 }),
    rule('alert-me', { conditions: fact('alertMe'), cooldownMinutes: 0 }),
    rule('throttle-me', { conditions: fact('throttleMe'), cooldownMinutes: 0, action: { type: 'throttle', params: { factor: 0.5 } } }),
    rule('edit-me', { conditions: fact('never') }),
  );
}

/** Runs the standalone OpenAPI validator (an ESM package) in a child node process. */
function validateWithSeriousme(doc: OpenApiDocument): Promise<{ valid: boolean; errors?: unknown; version?: string; unresolved?: string }> {
  const dir = makeTempDir('shre-openapi-');
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    import fs from 'node:fs';
    const v = new Validator();
    const res = await v.validate(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
    // Dereferences every $ref against the document alone, as a fuzzer or generator would.
    let unresolved;
    try { v.resolveRefs(); } catch (err) { unresolved = err.message; }
    console.log(JSON.stringify({ valid: res.valid, errors: res.errors, version: v.version, unresolved }));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, file],
      { cwd: path.join(__dirname, '..', '..'), timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { valid: boolean; errors?: unknown; version?: string; unresolved?: string });
      },
    );
  });
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  /** The same service with API keys, for the console's sign-in. */
  let keyed: TestApp;
  let primary: FakeModelHost;
  let doc: OpenApiDocument;
  let checker: ResponseChecker;

  beforeAll(async () => {
    primary = await FakeModelHost.start();
    t = await buildTestApp({
      rules: testRules(),
      config: {
        server: { bodyLimit: '64kb' },
        modelHosts: { primary: primary.url, timeoutMs: 500 },
        notifications: { inbound: { auth: 'token', token: 'hook-token-1' } },
      },
    });
    keyed = await buildTestApp({ rules: testRules(), config: { auth: { apiKeys: API_KEYS } } });
    const res = await request(t.app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as OpenApiDocument;
    checker = new ResponseChecker(doc);
  });

  afterAll(async () => {
    await t.stop();
    await keyed.stop();
    await primary.close();
  });

  it('documents every route the app registers, and nothing else', () => {
    const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
    const registered = listExpressRoutes(t.app).map(key).sort();
    const documented = listDocumentedRoutes(doc).map(key).sort();
    expect(registered.length).toBeGreaterThan(20);
    expect(documented).toEqual(registered);
  });

  it('is valid OpenAPI 3.1 and every reference dereferences (checked by @seriousme/openapi-schema-validator)', async () => {
    const result = await validateWithSeriousme(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.version).toBe('3.1');
    expect(result.unresolved).toBeUndefined();
  });

  it('is built from the registry: every registered schema an operation uses is a component, and every reference resolves', () => {
    const ids = t.services.schemas
      .schemas()
      .map((s) => (s as { $id?: string }).$id)
      .filter(Boolean)
      .sort();
    const componentIds = Object.values(doc.components.schemas)
      .map((s) => s['x-schema-id'] as string | undefined)
      .filter(Boolean)
      .sort();
    // Only the CLI's cases file is registered without any route taking or giving it: left out, as
    // an unused component would be (Redocly's no-unused-components).
    expect(ids.filter((id) => !componentIds.includes(id))).toEqual([RULES_CASES_SCHEMA_IDS.rulesCases]);
    expect(componentIds.every((id) => ids.includes(id))).toBe(true);
    const refs = new Set<string>();
    JSON.stringify(doc.paths, (k, v: unknown) => {
      if (k === '$ref') refs.add(v as string);
      return v;
    });
    for (const ref of refs) expect(() => checker.validatorFor(ref)).not.toThrow();
  });

  it('stands alone: every $ref anywhere in it resolves to a schema inside the document', () => {
    const found: Array<{ at: string; ref: string }> = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') found.push({ at, ref: value as string });
          else walk(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        }
      }
    };
    walk(doc, '');
    // Including the references that once pointed at $defs only the server's ajv could find.
    expect(found.length).toBeGreaterThan(50);
    const unresolved = found.filter(({ ref }) => {
      if (!ref.startsWith('#/')) return true;
      let node: unknown = doc;
      for (const segment of ref.slice(2).split('/')) {
        const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
        if (!node || typeof node !== 'object' || !(key in node)) return true;
        node = (node as Record<string, unknown>)[key];
      }
      return !node || typeof node !== 'object';
    });
    expect(unresolved).toEqual([]);
    // No schema carries its own base URI or local definitions any more: a reference means the same
    // to every reader.
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$id"');
    expect(text).not.toContain('"$defs"');
    const rule = doc.paths['/api/self-healing/rules']!.post!.requestBody as { content: Record<string, { schema: { $ref: string } }> };
    expect(rule.content['application/json']!.schema.$ref).toBe('#/components/schemas/RulesFileRule');
    expect(JSON.stringify(doc.components.schemas.RulesFileRule)).toContain('"#/components/schemas/RulesFileRuleName"');
  });

  it('names the access every operation needs, from the access policy', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const access = op['x-access'] as string;
        expect([`${method} ${p}`, access]).not.toEqual([`${method} ${p}`, 'unlisted']);
        const security = op.security as Array<Record<string, string[]>>;
        if (access === 'public' || access === 'webhook') expect(security).toEqual([]);
        else expect(security).toEqual([{ apiKey: [access] }]);
      }
    }
    expect(doc.paths['/api/self-healing/actions/{id}/approve']!.post!['x-access']).toBe('approver');
    expect(doc.paths['/api/self-healing/rules']!.post!['x-access']).toBe('admin');
  });

  it('every documented response matches what the server really returns', async () => {
    const ctx: Record<string, string> = {};
    const exercised = new Set<string>();
    type Step = {
      name: string;
      method: 'get' | 'post' | 'put' | 'patch' | 'delete';
      path: () => string;
      body?: unknown;
      raw?: { type: string; data: string; encoding?: string };
      headers?: Record<string, string> | (() => Record<string, string>);
      /** Sent to the app with API keys in force. */
      keyed?: true;
      expect: number;
      before?: () => Promise<void>;
      after?: (res: request.Response) => void;
    };
    const rollbackBody = { version: '' };
    const steps: Step[] = [
      { name: 'liveness', method: 'get', path: () => '/api/health', expect: 200 },
      { name: 'readiness', method: 'get', path: () => '/api/ready', expect: 200 },
      { name: 'the document', method: 'get', path: () => '/api/openapi.json', expect: 200 },
      { name: 'router state', method: 'get', path: () => '/api/health/router', expect: 200 },
      { name: 'router reset, primary healthy', method: 'post', path: () => '/api/health/router/reset', body: { by: 'test' }, expect: 200 },
      { name: 'router reset without body', method: 'post', path: () => '/api/health/router/reset', expect: 200 },
      {
        name: 'router reset, primary down',
        method: 'post',
        path: () => '/api/health/router/reset',
        expect: 409,
        before: () => primary.setMode('down'),
      },
      { name: 'router reset, bad body', method: 'post', path: () => '/api/health/router/reset', body: { by: 7 }, expect: 400 },
      {
        name: 'ingest: approval, alert and throttle',
        method: 'post',
        path: () => '/api/metrics?wait=true',
        body: snapshot({ needsApproval: true, alertMe: true, throttleMe: true }),
        expect: 200,
        before: () => primary.setMode('healthy'),
        after: (res) => {
          ctx.approveId = (res.body.decisions as Array<{ rule: string; actionId: string }>).find((d) => d.rule === 'approve-me')!.actionId;
          ctx.throttleId = (res.body.decisions as Array<{ rule: string; actionId: string }>).find((d) => d.rule === 'throttle-me')!.actionId;
          ctx.snapshotId = res.body.snapshotId as string;
        },
      },
      { name: 'ingest: invalid snapshot', method: 'post', path: () => '/api/metrics', body: { source: '', metrics: [] }, expect: 400 },
      { name: 'ingest: malformed JSON', method: 'post', path: () => '/api/metrics', raw: { type: 'application/json', data: '{"source":' }, expect: 400 },
      { name: 'ingest: not JSON', method: 'post', path: () => '/api/metrics', raw: { type: 'application/xml', data: '<hello/>' }, expect: 400 },
      { name: 'ingest: a type any page can send', method: 'post', path: () => '/api/metrics', raw: { type: 'text/plain', data: 'hello' }, expect: 403 },
      { name: 'ingest: too large', method: 'post', path: () => '/api/metrics', body: snapshot({ blob: 'x'.repeat(70_000) }), expect: 413 },
      {
        name: 'ingest: unsupported encoding',
        method: 'post',
        path: () => '/api/metrics',
        raw: { type: 'application/json', data: '{}', encoding: 'compress' },
        expect: 415,
      },
      { name: 'simulate by rule name', method: 'post', path: () => '/api/self-healing/simulate', body: { ruleName: 'alert-me' }, expect: 200 },
      {
        name: 'simulate a snapshot',
        method: 'post',
        path: () => '/api/self-healing/simulate',
        body: { snapshot: snapshot({ alertMe: true, errorRate: 0.5 }) },
        expect: 200,
      },
      { name: 'simulate an unknown rule', method: 'post', path: () => '/api/self-healing/simulate', body: { ruleName: 'nope' }, expect: 404 },
      { name: 'replay stored history', method: 'post', path: () => '/api/self-healing/replay', body: { compareTo: 'current', limit: 5 }, expect: 200 },
      {
        name: 'replay given snapshots',
        method: 'post',
        path: () => '/api/self-healing/replay',
        body: { snapshots: [snapshot({ alertMe: true })], approvals: 'approve' },
        expect: 200,
      },
      { name: 'replay, bad body', method: 'post', path: () => '/api/self-healing/replay', body: { approvals: 1 }, expect: 400 },
      { name: 'simulate, empty body', method: 'post', path: () => '/api/self-healing/simulate', body: {}, expect: 400 },
      { name: 'rules', method: 'get', path: () => '/api/self-healing/rules', expect: 200 },
      { name: 'validate a good file', method: 'post', path: () => '/api/self-healing/rules/validate', body: testRules(), expect: 200 },
      { name: 'validate a bad file', method: 'post', path: () => '/api/self-healing/rules/validate', body: { rules: [{ name: '' }] }, expect: 200 },
      { name: 'validate nothing', method: 'post', path: () => '/api/self-healing/rules/validate', expect: 400 },
      { name: 'one rule', method: 'get', path: () => '/api/self-healing/rules/alert-me', expect: 200 },
      { name: 'an unknown rule', method: 'get', path: () => '/api/self-healing/rules/nope', expect: 404 },
      { name: 'a bad rule name', method: 'get', path: () => '/api/self-healing/rules/..%2Fetc', expect: 400 },
      { name: 'create a rule', method: 'post', path: () => '/api/self-healing/rules', body: rule('new-one'), expect: 201 },
      { name: 'create it again', method: 'post', path: () => '/api/self-healing/rules', body: rule('new-one'), expect: 409 },
      { name: 'create an invalid rule', method: 'post', path: () => '/api/self-healing/rules', body: { name: 'x' }, expect: 400 },
      {
        name: 'create with a stale If-Match',
        method: 'post',
        path: () => '/api/self-healing/rules',
        body: rule('other'),
        headers: { 'If-Match': '"stale"' },
        expect: 412,
      },
      { name: 'replace a rule', method: 'put', path: () => '/api/self-healing/rules/edit-me', body: rule('edit-me', { priority: 5 }), expect: 200 },
      { name: 'replace, name mismatch', method: 'put', path: () => '/api/self-healing/rules/edit-me', body: rule('other'), expect: 400 },
      { name: 'replace an unknown rule', method: 'put', path: () => '/api/self-healing/rules/nope', body: rule('nope'), expect: 404 },
      { name: 'patch a rule', method: 'patch', path: () => '/api/self-healing/rules/edit-me', body: { enabled: false }, expect: 200 },
      { name: 'patch, unknown field', method: 'patch', path: () => '/api/self-healing/rules/edit-me', body: { __proto__x: 1 }, expect: 400 },
      { name: 'patch an unknown rule', method: 'patch', path: () => '/api/self-healing/rules/nope', body: { enabled: true }, expect: 404 },
      { name: 'trigger a rule', method: 'post', path: () => '/api/self-healing/rules/alert-me/trigger?wait=true', body: { reason: 'test' }, expect: 200 },
      { name: 'trigger without body', method: 'post', path: () => '/api/self-healing/rules/alert-me/trigger', expect: 200 },
      { name: 'trigger a disabled rule', method: 'post', path: () => '/api/self-healing/rules/edit-me/trigger', expect: 409 },
      { name: 'trigger an unknown rule', method: 'post', path: () => '/api/self-healing/rules/nope/trigger', expect: 404 },
      { name: 'trigger, bad body', method: 'post', path: () => '/api/self-healing/rules/alert-me/trigger', body: { reason: 1 }, expect: 400 },
      { name: 'delete a rule', method: 'delete', path: () => '/api/self-healing/rules/new-one', expect: 200 },
      { name: 'delete it again', method: 'delete', path: () => '/api/self-healing/rules/new-one', expect: 404 },
      {
        name: 'rules history',
        method: 'get',
        path: () => '/api/self-healing/rules/history?limit=50',
        expect: 200,
        after: (res) => (rollbackBody.version = res.body.items.at(-1).version),
      },
      { name: 'rules history, bad cursor', method: 'get', path: () => '/api/self-healing/rules/history?cursor=x', expect: 400 },
      { name: 'rollback without If-Match', method: 'post', path: () => '/api/self-healing/rules/rollback', body: rollbackBody, expect: 428 },
      { name: 'rollback, stale If-Match', method: 'post', path: () => '/api/self-healing/rules/rollback', body: rollbackBody, headers: { 'If-Match': '"stale"' }, expect: 412 },
      { name: 'rollback to an unknown version', method: 'post', path: () => '/api/self-healing/rules/rollback', body: { version: 'ffffffffffffffffffff' }, headers: { 'If-Match': '*' }, expect: 404 },
      { name: 'rollback to the first version', method: 'post', path: () => '/api/self-healing/rules/rollback', body: rollbackBody, headers: { 'If-Match': '*' }, expect: 200 },
      { name: 'actions', method: 'get', path: () => '/api/self-healing/actions?limit=2', expect: 200 },
      { name: 'actions, bad query', method: 'get', path: () => '/api/self-healing/actions?status=done&bogus=1', expect: 400 },
      { name: 'one action', method: 'get', path: () => `/api/self-healing/actions/${ctx.approveId}`, expect: 200 },
      { name: 'an unknown action', method: 'get', path: () => `/api/self-healing/actions/${UNKNOWN_ID}`, expect: 404 },
      { name: 'a bad action id', method: 'get', path: () => '/api/self-healing/actions/not-a-uuid', expect: 400 },
      { name: 'approve, bad body', method: 'post', path: () => `/api/self-healing/actions/${ctx.approveId}/approve`, body: {}, expect: 400 },
      { name: 'approve', method: 'post', path: () => `/api/self-healing/actions/${ctx.approveId}/approve`, body: { by: 'ann' }, expect: 200 },
      { name: 'approve again', method: 'post', path: () => `/api/self-healing/actions/${ctx.approveId}/approve`, body: { by: 'bob' }, expect: 409 },
      { name: 'approve unknown', method: 'post', path: () => `/api/self-healing/actions/${UNKNOWN_ID}/approve`, body: { by: 'bob' }, expect: 404 },
      {
        name: 'ingest another approval',
        method: 'post',
        path: () => '/api/metrics',
        body: snapshot({ needsApproval: true }),
        expect: 200,
        after: (res) => {
          ctx.rejectId = (res.body.decisions as Array<{ actionId: string }>)[0]!.actionId;
        },
      },
      { name: 'reject', method: 'post', path: () => `/api/self-healing/actions/${ctx.rejectId}/reject`, body: { by: 'ann', comment: 'no' }, expect: 200 },
      { name: 'ingest a batch', method: 'post', path: () => '/api/metrics/batch', body: { snapshots: [snapshot({ quiet: 1 })] }, expect: 200 },
      { name: 'ingest a batch with a bad snapshot', method: 'post', path: () => '/api/metrics/batch', body: { snapshots: [snapshot({ quiet: 1 }), { source: '' }] }, expect: 207 },
      { name: 'reject again', method: 'post', path: () => `/api/self-healing/actions/${ctx.rejectId}/reject`, body: { by: 'ann' }, expect: 409 },
      { name: 'revert', method: 'post', path: () => `/api/self-healing/actions/${ctx.throttleId}/revert`, expect: 200 },
      { name: 'revert again', method: 'post', path: () => `/api/self-healing/actions/${ctx.throttleId}/revert`, expect: 409 },
      { name: 'revert unknown', method: 'post', path: () => `/api/self-healing/actions/${UNKNOWN_ID}/revert`, expect: 404 },
      { name: 'actions by outcome', method: 'get', path: () => '/api/self-healing/actions?outcome=pending', expect: 200 },
      { name: 'actions, bad outcome', method: 'get', path: () => '/api/self-healing/actions?outcome=great', expect: 400 },
      {
        name: 'incidents',
        method: 'get',
        path: () => '/api/self-healing/incidents?state=open&limit=5',
        expect: 200,
        after: (res) => {
          ctx.incidentId = (res.body.items as Array<{ id: string }>)[0]!.id;
        },
      },
      { name: 'incidents, bad state', method: 'get', path: () => '/api/self-healing/incidents?state=gone', expect: 400 },
      { name: 'one incident', method: 'get', path: () => `/api/self-healing/incidents/${ctx.incidentId}`, expect: 200 },
      { name: 'unknown incident', method: 'get', path: () => `/api/self-healing/incidents/${UNKNOWN_ID}`, expect: 404 },
      { name: 'actions of an incident', method: 'get', path: () => `/api/self-healing/actions?incidentId=${ctx.incidentId}`, expect: 200 },
      { name: 'alerts of an incident', method: 'get', path: () => `/api/self-healing/alerts?incidentId=${ctx.incidentId}`, expect: 200 },
      { name: 'pause state', method: 'get', path: () => '/api/self-healing/pause', expect: 200 },
      { name: 'pause', method: 'post', path: () => '/api/self-healing/pause', body: { reason: 'incident', until: '2099-01-01T00:00:00Z' }, expect: 200 },
      { name: 'pause, bad body', method: 'post', path: () => '/api/self-healing/pause', body: { until: 'soon' }, expect: 400 },
      { name: 'resume', method: 'delete', path: () => '/api/self-healing/pause', expect: 200 },
      {
        name: 'create a silence',
        method: 'post',
        path: () => '/api/self-healing/silences',
        body: { matchers: { type: 'throttle', source: { regex: 'app-.*' } }, endsAt: '2026-06-01T00:00:00Z', comment: 'maintenance', schedule: { timeZone: 'UTC', weekdays: ['sat-sun'] } },
        expect: 201,
        after: (res) => {
          ctx.silenceId = res.body.id as string;
        },
      },
      { name: 'create a silence, unsafe regex', method: 'post', path: () => '/api/self-healing/silences', body: { matchers: { rule: { regex: '(a*)*' } }, endsAt: '2099-01-01T00:00:00Z', comment: 'c' }, expect: 400 },
      { name: 'silences', method: 'get', path: () => '/api/self-healing/silences?state=active&limit=5', expect: 200 },
      { name: 'one silence', method: 'get', path: () => `/api/self-healing/silences/${ctx.silenceId}`, expect: 200 },
      { name: 'unknown silence', method: 'get', path: () => `/api/self-healing/silences/${UNKNOWN_ID}`, expect: 404 },
      { name: 'expire a silence', method: 'delete', path: () => `/api/self-healing/silences/${ctx.silenceId}`, expect: 200 },
      { name: 'expire it again', method: 'delete', path: () => `/api/self-healing/silences/${ctx.silenceId}`, expect: 409 },
      { name: 'stats', method: 'get', path: () => '/api/self-healing/stats?window=7d', expect: 200 },
      { name: 'snapshots', method: 'get', path: () => '/api/self-healing/snapshots?limit=1', expect: 200 },
      { name: 'snapshots, bad limit', method: 'get', path: () => '/api/self-healing/snapshots?limit=0', expect: 400 },
      { name: 'snapshot sources', method: 'get', path: () => '/api/self-healing/snapshots/sources', expect: 200 },
      { name: 'one snapshot', method: 'get', path: () => `/api/self-healing/snapshots/${ctx.snapshotId}`, expect: 200 },
      { name: 'an unknown snapshot', method: 'get', path: () => `/api/self-healing/snapshots/${UNKNOWN_ID}`, expect: 404 },
      { name: 'series', method: 'get', path: () => '/api/self-healing/series?source=test&fact=needsApproval&step=1m', expect: 200 },
      { name: 'series, no fact', method: 'get', path: () => '/api/self-healing/series?source=test', expect: 400 },
      { name: 'stats, bad window', method: 'get', path: () => '/api/self-healing/stats?window=1y', expect: 400 },
      { name: 'pull sources', method: 'get', path: () => '/api/self-healing/sources', expect: 200 },
      { name: 'pull sources, unknown parameter', method: 'get', path: () => '/api/self-healing/sources?x=1', expect: 400 },
      { name: 'reject unknown', method: 'post', path: () => `/api/self-healing/actions/${UNKNOWN_ID}/reject`, body: { by: 'ann' }, expect: 404 },
      { name: 'prompts', method: 'get', path: () => '/api/prompts', expect: 200 },
      { name: 'add a prompt version', method: 'post', path: () => '/api/prompts/main/versions', body: { content: 'v1', description: 'first' }, expect: 201 },
      { name: 'add another', method: 'post', path: () => '/api/prompts/main/versions', body: { content: 'v2', activate: true }, expect: 201 },
      { name: 'add, bad body', method: 'post', path: () => '/api/prompts/main/versions', body: { content: '' }, expect: 400 },
      { name: 'a prompt', method: 'get', path: () => '/api/prompts/main', expect: 200 },
      { name: 'an unknown prompt', method: 'get', path: () => '/api/prompts/nope', expect: 404 },
      { name: 'a bad prompt name', method: 'get', path: () => '/api/prompts/-bad', expect: 400 },
      { name: 'the active version', method: 'get', path: () => '/api/prompts/main/active', expect: 200 },
      { name: 'active of unknown', method: 'get', path: () => '/api/prompts/nope/active', expect: 404 },
      { name: 'throttle', method: 'get', path: () => '/api/self-healing/throttle', expect: 200 },
      { name: 'restore the throttle', method: 'delete', path: () => '/api/self-healing/throttle?by=ann&reason=done', expect: 200 },
      { name: 'restore, bad query', method: 'delete', path: () => '/api/self-healing/throttle?bogus=1', expect: 400 },
      {
        name: 'alerts',
        method: 'get',
        path: () => '/api/self-healing/alerts?severity=warning',
        expect: 200,
        after: (res) => {
          ctx.alertId = (res.body.items as Array<{ id: string }>)[0]!.id;
        },
      },
      { name: 'alerts, bad query', method: 'get', path: () => '/api/self-healing/alerts?acknowledged=maybe', expect: 400 },
      { name: 'one alert', method: 'get', path: () => `/api/self-healing/alerts/${ctx.alertId}`, expect: 200 },
      { name: 'an unknown alert', method: 'get', path: () => `/api/self-healing/alerts/${UNKNOWN_ID}`, expect: 404 },
      { name: 'a bad alert id', method: 'get', path: () => '/api/self-healing/alerts/1', expect: 400 },
      { name: 'ack', method: 'post', path: () => `/api/self-healing/alerts/${ctx.alertId}/ack`, body: { by: 'ann' }, expect: 200 },
      { name: 'ack again', method: 'post', path: () => `/api/self-healing/alerts/${ctx.alertId}/ack`, body: { by: 'bob' }, expect: 409 },
      { name: 'ack, bad body', method: 'post', path: () => `/api/self-healing/alerts/${ctx.alertId}/ack`, body: { by: '' }, expect: 400 },
      { name: 'notifications', method: 'get', path: () => '/api/self-healing/notifications?limit=5', expect: 200 },
      { name: 'notifications, bad query', method: 'get', path: () => '/api/self-healing/notifications?status=lost', expect: 400 },
      { name: 'who am I, open', method: 'get', path: () => '/api/session', expect: 200 },
      { name: 'sign in while open', method: 'post', path: () => '/api/session', body: { apiKey: 'x' }, expect: 409 },
      { name: 'sign out without a session', method: 'delete', path: () => '/api/session', expect: 200 },
      {
        name: 'sign in',
        method: 'post',
        path: () => '/api/session',
        body: { apiKey: KEYS.viewer },
        keyed: true,
        expect: 200,
        after: (res) => {
          ctx.cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
        },
      },
      { name: 'sign in, bad key', method: 'post', path: () => '/api/session', body: { apiKey: 'nope' }, keyed: true, expect: 401 },
      { name: 'sign in, bad body', method: 'post', path: () => '/api/session', body: { key: 'x' }, keyed: true, expect: 400 },
      { name: 'sign in from another origin', method: 'post', path: () => '/api/session', body: { apiKey: KEYS.viewer }, headers: { Origin: 'https://evil.example' }, keyed: true, expect: 403 },
      { name: 'who am I, signed in', method: 'get', path: () => '/api/session', headers: () => ({ Cookie: ctx.cookie! }), keyed: true, expect: 200 },
      { name: 'sign out', method: 'delete', path: () => '/api/session', headers: () => ({ Cookie: ctx.cookie! }), keyed: true, expect: 200 },
      { name: 'events so far', method: 'get', path: () => '/api/events?follow=false&lastEventId=0', headers: { Accept: 'text/event-stream' }, expect: 200 },
      { name: 'events without Accept', method: 'get', path: () => '/api/events?follow=false', expect: 406 },
      { name: 'events, bad Last-Event-ID', method: 'get', path: () => '/api/events?follow=false', headers: { Accept: 'text/event-stream', 'Last-Event-ID': 'x' }, expect: 400 },
      { name: 'the rules file', method: 'get', path: () => '/api/self-healing/rules-file', expect: 200 },
      { name: 'replace the rules file, stale', method: 'put', path: () => '/api/self-healing/rules-file', body: testRules(), headers: { 'If-Match': '"stale"' }, expect: 412 },
      { name: 'replace the rules file, invalid', method: 'put', path: () => '/api/self-healing/rules-file', body: { rules: [{ name: 'x' }] }, expect: 400 },
      { name: 'replace the rules file', method: 'put', path: () => '/api/self-healing/rules-file', body: testRules(), expect: 200 },
      {
        name: 'webhook snapshot',
        method: 'post',
        path: () => '/api/webhooks/n8n',
        headers: { Authorization: 'Bearer hook-token-1' },
        body: { type: 'snapshot', snapshot: snapshot({ errorRate: 0.01 }) },
        expect: 200,
      },
      {
        name: 'webhook approval of an unknown action',
        method: 'post',
        path: () => '/api/webhooks/n8n',
        headers: { Authorization: 'Bearer hook-token-1' },
        body: { type: 'approval', actionId: UNKNOWN_ID, decision: 'approve', by: 'ann' },
        expect: 404,
      },
      { name: 'webhook without token', method: 'post', path: () => '/api/webhooks/n8n', body: { type: 'snapshot' }, expect: 401 },
      {
        name: 'alertmanager webhook',
        method: 'post',
        path: () => '/api/webhooks/alertmanager?wait=true',
        body: {
          version: '4',
          status: 'firing',
          alerts: [{ status: 'firing', labels: { alertname: 'Boom', job: 'api' }, annotations: {}, startsAt: '2026-03-01T09:59:00Z', endsAt: '0001-01-01T00:00:00Z' }],
        },
        expect: 200,
      },
      { name: 'alertmanager webhook, bad payload', method: 'post', path: () => '/api/webhooks/alertmanager', body: { version: '3', alerts: [] }, expect: 400 },
      { name: 'prometheus metrics', method: 'get', path: () => '/metrics', expect: 200 },
      {
        name: 'write with the rules file broken on disk',
        method: 'post',
        path: () => '/api/self-healing/rules',
        body: rule('later'),
        expect: 409,
        before: async () => fs.writeFileSync(t.rulesFile, '{ "rules": [ '),
      },
    ];

    const failures: string[] = [];
    for (const step of steps) {
      await step.before?.();
      const url = step.path();
      let req = request((step.keyed ? keyed : t).app)[step.method](url);
      const headers = typeof step.headers === 'function' ? step.headers() : (step.headers ?? {});
      for (const [h, v] of Object.entries(headers)) req = req.set(h, v);
      let res: request.Response;
      if (step.raw) {
        req = req.set('Content-Type', step.raw.type);
        if (step.raw.encoding) req = req.set('Content-Encoding', step.raw.encoding);
        res = await req.send(step.raw.data);
      } else {
        res = step.body === undefined ? await req : await req.send(step.body as object);
      }
      if (res.status !== step.expect) failures.push(`${step.name}: expected ${step.expect}, got ${res.status} ${res.text.slice(0, 300)}`);
      failures.push(...checker.check(step.method, url, res).map((p) => `${step.name}: ${p}`));
      const op = checker.operationFor(step.method, url);
      if (op) exercised.add(`${step.method} ${op.template} ${res.status}`);
      step.after?.(res);
    }
    expect(failures).toEqual([]);

    // Every operation had its success case exercised.
    const missing = listDocumentedRoutes(doc)
      .filter((r) => {
        const ok = Object.keys(doc.paths[r.path]![r.method]!.responses as object).filter((s) => s.startsWith('2'));
        return !ok.some((s) => exercised.has(`${r.method} ${r.path} ${s}`));
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });
});

describe('the OpenAPI document with API keys in force', () => {
  it('documents the 401, 403 and 429 answers as they really are', async () => {
    const t = await buildTestApp({
      rules: testRules(),
      config: { auth: { apiKeys: 'watcher:viewer:viewer-secret-1,boss:admin:admin-secret-1', rateLimit: { authFailuresPerMinute: 3 } } },
    });
    try {
      const doc = (await request(t.app).get('/api/openapi.json')).body as OpenApiDocument;
      const checker = new ResponseChecker(doc);
      const failures: string[] = [];
      const check = (method: string, url: string, expected: number, res: request.Response) => {
        if (res.status !== expected) failures.push(`${method} ${url}: expected ${expected}, got ${res.status} ${res.text}`);
        failures.push(...checker.check(method, url, res));
      };
      check('get', '/api/self-healing/rules', 200, await request(t.app).get('/api/self-healing/rules').set('Authorization', 'Bearer viewer-secret-1'));
      check('get', '/api/self-healing/rules', 401, await request(t.app).get('/api/self-healing/rules'));
      check(
        'post',
        '/api/self-healing/rules',
        403,
        await request(t.app).post('/api/self-healing/rules').set('Authorization', 'Bearer viewer-secret-1').send(rule('x')),
      );
      check('get', '/api/prompts', 401, await request(t.app).get('/api/prompts').set('Authorization', 'Bearer wrong'));
      check('get', '/api/prompts', 401, await request(t.app).get('/api/prompts').set('Authorization', 'Bearer wrong'));
      check('get', '/api/prompts', 429, await request(t.app).get('/api/prompts').set('Authorization', 'Bearer wrong'));
      check('get', '/api/health', 200, await request(t.app).get('/api/health'));
      expect(failures).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
