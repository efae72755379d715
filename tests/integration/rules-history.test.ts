import fs from 'node:fs';
import request from 'supertest';
import { API_KEYS, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const auth = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

describe('rules history and rollback', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a', { cooldownMinutes: 10 }), rule('b')), config: { auth: { apiKeys: API_KEYS } } });
  });

  afterEach(async () => {
    await t.stop();
  });

  const history = async () => (await request(t.app).get('/api/self-healing/rules/history').set(...auth(KEYS.viewer))).body;

  it('records the file at start, API edits by key name and hand edits as file, each with its diff', async () => {
    const start = await history();
    expect(start.items).toHaveLength(1);
    expect(start.items[0]).toMatchObject({ seq: 1, by: 'file', cause: 'file', previousVersion: null, rules: 2, diff: { added: ['a', 'b'], removed: [], changed: [] } });
    expect(start.items[0].version).toBe(t.services.rules.current().version);

    t.clock.advance(60_000);
    const patched = await request(t.app).patch('/api/self-healing/rules/a').set(...auth(KEYS.admin)).send({ cooldownMinutes: 20, mode: 'shadow' });
    expect(patched.status).toBe(200);
    const created = await request(t.app).post('/api/self-healing/rules').set(...auth(KEYS.admin)).send(rule('c'));
    expect(created.status).toBe(201);

    // A hand edit: another rule removed, picked up by the reload the watcher would run.
    const doc = JSON.parse(fs.readFileSync(t.rulesFile, 'utf8'));
    doc.rules = doc.rules.filter((r: { name: string }) => r.name !== 'b');
    fs.writeFileSync(t.rulesFile, JSON.stringify(doc, null, 4));
    expect(await t.services.rules.reload()).toBe(true);

    const items = (await history()).items;
    expect(items.map((i: { seq: number }) => i.seq)).toEqual([4, 3, 2, 1]);
    expect(items[2]).toMatchObject({
      by: 'ad',
      cause: 'api',
      at: '2026-03-01T10:01:00.000Z',
      previousVersion: start.items[0].version,
      version: patched.body.version,
      diff: { added: [], removed: [], changed: [{ rule: 'a', fields: [{ field: '/cooldownMinutes', before: 10, after: 20 }, { field: '/mode', before: 'enforce', after: 'shadow' }] }] },
    });
    expect(items[1]).toMatchObject({ by: 'ad', cause: 'api', diff: { added: ['c'] } });
    expect(items[0]).toMatchObject({ by: 'file', cause: 'file', previousVersion: created.body.version, diff: { removed: ['b'] } });

    // A reload that finds what is already recorded adds nothing.
    expect(await t.services.rules.reload()).toBe(false);
    expect((await history()).items).toHaveLength(4);
  });

  it('pages the history', async () => {
    for (const cooldown of [1, 2, 3]) {
      await request(t.app).patch('/api/self-healing/rules/a').set(...auth(KEYS.admin)).send({ cooldownMinutes: cooldown });
    }
    const first = await request(t.app).get('/api/self-healing/rules/history?limit=3').set(...auth(KEYS.viewer));
    expect(first.body.items.map((i: { seq: number }) => i.seq)).toEqual([4, 3, 2]);
    const second = await request(t.app).get(`/api/self-healing/rules/history?limit=3&cursor=${first.body.nextCursor}`).set(...auth(KEYS.viewer));
    expect(second.body).toMatchObject({ items: [{ seq: 1 }], nextCursor: null });
    const bad = await request(t.app).get('/api/self-healing/rules/history?limit=0&cursor=zzz').set(...auth(KEYS.viewer));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/query/cursor', '/query/limit']);
  });

  it('rolls back to a recorded version through the validated atomic write, needing admin and If-Match', async () => {
    const original = t.services.rules.current().version;
    const originalText = fs.readFileSync(t.rulesFile, 'utf8');
    const edit = await request(t.app).delete('/api/self-healing/rules/b').set(...auth(KEYS.admin));
    const current = edit.body.version as string;
    const body = { version: original };

    const noIfMatch = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).send(body);
    expect(noIfMatch.status).toBe(428);
    const stale = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).set('If-Match', `"${original}"`).send(body);
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(current);
    const operator = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.operator)).set('If-Match', `"${current}"`).send(body);
    expect(operator.status).toBe(403);
    const unknown = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).set('If-Match', `"${current}"`).send({ version: 'ffffffffffffffffffff' });
    expect(unknown.status).toBe(404);
    const malformed = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).set('If-Match', `"${current}"`).send({ version: 'v1' });
    expect(malformed.status).toBe(400);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).not.toBe(originalText);

    const done = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).set('If-Match', `"${current}"`).send(body);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ version: original, restored: original });
    expect(done.headers.etag).toBe(`"${original}"`);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(originalText);
    expect(t.services.rules.current().rules.map((r) => r.name)).toEqual(['a', 'b']);
    expect((await history()).items[0]).toMatchObject({ seq: 3, cause: 'rollback', rollbackOf: original, by: 'ad', previousVersion: current, diff: { added: ['b'] } });
  });

  it('rolls back also while the file on disk is invalid, which is how a broken hand edit gets repaired', async () => {
    const original = t.services.rules.current().version;
    fs.writeFileSync(t.rulesFile, '{ "rules": [ ');
    expect(await t.services.rules.reload()).toBe(false);
    const broken = (await request(t.app).get('/api/self-healing/rules').set(...auth(KEYS.viewer))).body.lastError;
    expect(broken).not.toBeNull();
    const res = await request(t.app).post('/api/self-healing/rules/rollback').set(...auth(KEYS.admin)).set('If-Match', '*').send({ version: original });
    expect(res.status).toBe(200);
    expect(JSON.parse(fs.readFileSync(t.rulesFile, 'utf8')).rules).toHaveLength(2);
    expect((await request(t.app).get('/api/self-healing/rules').set(...auth(KEYS.viewer))).body.lastError).toBeNull();
  });

  it('records an API write once when another instance on the same file and store reloads it', async () => {
    const other = await buildTestApp({ dir: t.dir, config: { auth: { apiKeys: API_KEYS } } });
    try {
      const res = await request(t.app).patch('/api/self-healing/rules/a').set(...auth(KEYS.admin)).send({ enabled: false });
      expect(res.status).toBe(200);
      // The second instance finds the new file on disk (its watcher would reload it).
      expect(await other.services.rules.reload()).toBe(true);
      const items = (await history()).items;
      expect(items.map((i: { seq: number; by: string; cause: string }) => [i.seq, i.by, i.cause])).toEqual([
        [2, 'ad', 'api'],
        [1, 'file', 'file'],
      ]);
    } finally {
      await other.stop();
    }
  });
});
