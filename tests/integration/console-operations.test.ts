import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';

type Operation = { method: string; path: string; access: string; query: string[] };
type DocOperation = { operationId: string; 'x-access': string; parameters?: Array<{ name: string; in: string }> };

describe('the console operation list', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp();
  });

  afterAll(async () => {
    await t.stop();
  });

  it('is a module listing every operation of the served document with its method, path, access and query names', async () => {
    const res = await request(t.app).get('/console/js/operations.js');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/javascript');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const source = res.text;
    const json = /export const OPERATIONS = Object\.freeze\(([\s\S]*)\);\s*$/.exec(source)?.[1];
    const operations = JSON.parse(json!) as Record<string, Operation>;

    const doc = (await request(t.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, DocOperation>> };
    const documented: Record<string, Operation> = {};
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        documented[op.operationId] = {
          method: method.toUpperCase(),
          path: path.replace(/\{(\w+)\}/g, ':$1'),
          access: op['x-access'],
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        };
      }
    }
    expect(Object.keys(operations).length).toBeGreaterThan(40);
    expect(operations).toEqual(documented);
  });
});
