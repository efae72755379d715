import fs from 'node:fs';
import request from 'supertest';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const json = (t: TestApp, method: 'post' | 'put' | 'patch', url: string, text: string) =>
  request(t.app)[method](url).set('Content-Type', 'application/json').send(text);

describe('hostile input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a', { cooldownMinutes: 0 })) });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('answers absurdly deep conditions with a 400 (or valid: false), never a 500, and writes nothing', async () => {
    const before = fs.readFileSync(t.rulesFile, 'utf8');
    const deep = '{"not":'.repeat(50_000) + '{"fact":"a","operator":"equal","value":1}' + '}'.repeat(50_000);
    const ruleText = `{"name":"deep","conditions":{"all":[${deep}]},"action":{"type":"alert_only"}}`;
    const created = await json(t, 'post', '/api/self-healing/rules', ruleText);
    expect(created.status).toBe(400);
    expect(created.body.errors[0].message).toMatch(/nests deeper than 64 levels/);
    expect((await json(t, 'put', '/api/self-healing/rules/a', ruleText.replace('"deep"', '"a"'))).status).toBe(400);
    const validated = await json(t, 'post', '/api/self-healing/rules/validate', `{"rules":[${ruleText}]}`);
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(before);
  });

  it('refuses an empty metric name (json-rules-engine cannot take it as a fact) and stores nothing', async () => {
    const res = await request(t.app).post('/api/metrics').send({ source: 's', timestamp: '2026-03-01T10:00:00Z', metrics: { '': 1 } });
    expect(res.status).toBe(400);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });

  it('keeps __proto__ and constructor metric keys as plain data: nothing is polluted', async () => {
    const text =
      '{"source":"s","timestamp":"2026-03-01T10:00:00Z","metrics":{"__proto__":{"errorRate":1,"polluted":true},"constructor":{"prototype":{"polluted":true}},"errorRate":0.01}}';
    const res = await json(t, 'post', '/api/metrics?wait=true', text);
    expect(res.status).toBe(200);
    // errorRate 0.01 does not match rule "a"; the __proto__ member did not stand in for it.
    expect(res.body.decisions).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    const stored = await t.services.store.getSnapshot(res.body.snapshotId as string);
    expect(Object.prototype.hasOwnProperty.call(stored!.metrics, '__proto__')).toBe(true);
  });

  it('refuses __proto__ and constructor members in rule writes and patches, leaving the file alone', async () => {
    const before = fs.readFileSync(t.rulesFile, 'utf8');
    const patch = await json(t, 'patch', '/api/self-healing/rules/a', '{"__proto__":{"enabled":false},"constructor":{"x":1}}');
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/__proto__', '/constructor']);
    const create = await json(t, 'post', '/api/self-healing/rules', JSON.stringify(rule('b')).replace('{', '{"__proto__":{"x":1},'));
    expect(create.status).toBe(400);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(before);
    expect(({} as Record<string, unknown>).enabled).toBeUndefined();
  });

  it('validates names and ids before any file or store access', async () => {
    for (const url of [
      '/api/self-healing/rules/..%2F..%2Fetc%2Fpasswd',
      '/api/self-healing/rules/__proto__',
      '/api/prompts/..%2Fx',
      '/api/self-healing/actions/1%20OR%201=1',
      '/api/self-healing/alerts/%27%3B--',
      `/api/self-healing/rules/${'a'.repeat(101)}`,
    ]) {
      const res = await request(t.app).get(url);
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.type).toBe('application/problem+json');
    }
  });

  it('bounds sizes: body, metric count, condition count, channel count, string lengths', async () => {
    const metrics = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`m${i}`, i]));
    expect((await request(t.app).post('/api/metrics').send({ source: 's', timestamp: '2026-03-01T10:00:00Z', metrics })).status).toBe(400);
    expect((await request(t.app).post('/api/metrics').send({ source: 'x'.repeat(129), timestamp: '2026-03-01T10:00:00Z', metrics: {} })).status).toBe(400);
    const many = { all: Array.from({ length: 101 }, () => ({ fact: 'a', operator: 'equal', value: 1 })) };
    expect((await request(t.app).post('/api/self-healing/rules').send(rule('c', { conditions: many }))).status).toBe(400);
    const channels = Array.from({ length: 11 }, (_, i) => `c${i}`);
    expect((await request(t.app).post('/api/self-healing/rules').send(rule('c', { notifications: { channels } }))).status).toBe(400);
    expect((await request(t.app).post('/api/prompts/p/versions').send({ content: 'x'.repeat(100_001) })).status).toBe(400);
    const big = await request(t.app).post('/api/metrics').set('Content-Type', 'application/json').send(`{"a":"${'x'.repeat(1_100_000)}"}`);
    expect(big.status).toBe(413);
  });
});
