import fs from 'node:fs';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { waitFor } from '../helpers/wait-for';

const readFile = (t: TestApp) => fs.readFileSync(t.rulesFile, 'utf8');

describe('rules REST', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({
      rules: { defaults: { cooldownMinutes: 7 }, rules: [rule('first'), rule('second', { priority: 20 })], note: 'kept' },
    });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('lists rules with version, loadedAt and lastError; the version is the ETag', async () => {
    const res = await request(t.app).get('/api/self-healing/rules');
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    expect(res.body).toMatchObject({ count: 2, lastError: null, loadedAt: '2026-03-01T10:00:00.000Z' });
    expect(res.body.rules.map((r: { name: string }) => r.name)).toEqual(['first', 'second']);
    const one = await request(t.app).get('/api/self-healing/rules/second');
    expect(one.body.rule).toMatchObject({ name: 'second', priority: 20, cooldownMinutes: 10, requiresApproval: false });
    expect(one.body.state).toEqual({ cooldownUntil: null, openApprovalId: null });
    expect((await request(t.app).get('/api/self-healing/rules/nope')).status).toBe(404);
    expect((await request(t.app).get('/api/self-healing/rules/bad%20name')).status).toBe(400);
  });

  it('creates a rule, writes the file back in stable 2-space form keeping order and other keys', async () => {
    const created = await request(t.app).post('/api/self-healing/rules').send(rule('third', { cooldownMinutes: undefined }));
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe(`"${created.body.version}"`);
    const text = readFile(t);
    const doc = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(doc.note).toBe('kept');
    expect(doc.rules.map((r: { name: string }) => r.name)).toEqual(['first', 'second', 'third']);
    // Defaults from the file apply to the new rule.
    const third = await request(t.app).get('/api/self-healing/rules/third');
    expect(third.body.rule.cooldownMinutes).toBe(7);
    const dup = await request(t.app).post('/api/self-healing/rules').send(rule('third'));
    expect(dup.status).toBe(409);
  });

  it('replaces, patches and deletes, each taking effect at once for ingest', async () => {
    const put = await request(t.app)
      .put('/api/self-healing/rules/first')
      .send(rule('first', { conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] } }));
    expect(put.status).toBe(200);
    const ingest1 = await request(t.app).post('/api/metrics').send(snapshot({ diskPercent: 95 }));
    expect(ingest1.body.decisions.map((d: { rule: string }) => d.rule)).toEqual(['first']);

    const patch = await request(t.app).patch('/api/self-healing/rules/second').send({ enabled: false });
    expect(patch.status).toBe(200);
    expect(JSON.parse(readFile(t)).rules[1]).toMatchObject({ name: 'second', enabled: false, priority: 20 });
    const ingest2 = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.5 }));
    expect(ingest2.body.decisions).toEqual([]);

    const del = await request(t.app).delete('/api/self-healing/rules/second');
    expect(del.status).toBe(200);
    expect(JSON.parse(readFile(t)).rules.map((r: { name: string }) => r.name)).toEqual(['first']);
    expect((await request(t.app).delete('/api/self-healing/rules/second')).status).toBe(404);
  });

  it('patches any member but the name, each given member replacing the file\'s, and refuses what the file would', async () => {
    const before = JSON.parse(readFile(t));
    const changes = {
      action: { type: 'throttle', params: { factor: 0.25 } },
      conditions: { any: [{ fact: 'diskPercent', operator: 'greaterThan', value: 80 }] },
      notifications: { channels: ['n8n'] },
      verify: { windowMinutes: 4, onIneffective: 'escalate' },
      maxActionsPerTarget: 2,
    };
    const patched = await request(t.app).patch('/api/self-healing/rules/second').send(changes);
    expect(patched.status).toBe(200);
    const after = JSON.parse(readFile(t));
    expect(after).toEqual({ ...before, rules: [before.rules[0], { ...before.rules[1], ...changes }] });
    const inForce = await request(t.app).get('/api/self-healing/rules/second');
    expect(inForce.body.rule).toMatchObject({ ...changes, enabled: true, priority: 20 });

    const text = readFile(t);
    for (const [body, pointer] of [
      [{ verify: { windowMinutes: 0, onIneffective: 'revert' } }, '/verify'],
      [{ maxActionsPerTarget: 0 }, '/maxActionsPerTarget'],
      [{ action: { type: 'prompt_rollback' } }, '/action/params'],
      [{ name: 'renamed' }, '/name'],
    ] as const) {
      const refused = await request(t.app).patch('/api/self-healing/rules/second').send(body);
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      expect(readFile(t)).toBe(text);
    }
  });

  it('refuses a write with a stale If-Match (412) and accepts the current one', async () => {
    const { headers } = await request(t.app).get('/api/self-healing/rules');
    const etag = headers.etag as string;
    const ok = await request(t.app).patch('/api/self-healing/rules/first').set('If-Match', etag).send({ enabled: false });
    expect(ok.status).toBe(200);
    const before = readFile(t);
    const stale = await request(t.app).patch('/api/self-healing/rules/second').set('If-Match', etag).send({ enabled: false });
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(ok.body.version);
    expect(readFile(t)).toBe(before);
  });

  it('refuses an API write based on a version a hand edit has replaced, and never loses the hand edit', async () => {
    const { headers } = await request(t.app).get('/api/self-healing/rules');
    const doc = JSON.parse(readFile(t));
    doc.rules[0].description = 'edited by hand';
    fs.writeFileSync(t.rulesFile, JSON.stringify(doc, null, 4));
    const stale = await request(t.app).patch('/api/self-healing/rules/second').set('If-Match', headers.etag as string).send({ enabled: false });
    expect(stale.status).toBe(412);
    // Without If-Match the change applies on top of what is on disk: the hand edit stays.
    const merged = await request(t.app).patch('/api/self-healing/rules/second').send({ enabled: false });
    expect(merged.status).toBe(200);
    const after = JSON.parse(readFile(t));
    expect(after.rules[0].description).toBe('edited by hand');
    expect(after.rules[1].enabled).toBe(false);
  });

  it('rejects invalid rules with every problem and a pointer into the body, changing nothing', async () => {
    const before = readFile(t);
    const res = await request(t.app)
      .post('/api/self-healing/rules')
      .send({
        name: 'bad rule!',
        severity: 'loud',
        conditions: { all: [{ fact: 'x', operator: 'greaterThan' }] },
        action: { type: 'service_restart', params: {} },
        extra: 1,
      });
    expect(res.status).toBe(400);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining(['/name', '/severity', '/conditions/all/0/value', '/action/params/service', '/extra']),
    );
    const op = await request(t.app)
      .post('/api/self-healing/rules')
      .send(rule('op', { conditions: { any: [{ fact: 'x', operator: 'biggerThan', value: 1 }] } }));
    expect(op.status).toBe(400);
    expect(op.body.errors).toEqual([{ pointer: '/conditions/any/0/operator', message: 'unknown operator "biggerThan"' }]);
    const rename = await request(t.app).put('/api/self-healing/rules/first').send(rule('other'));
    expect(rename.status).toBe(400);
    expect(readFile(t)).toBe(before);
  });

  it('validates a whole candidate file without applying it', async () => {
    const before = readFile(t);
    const good = await request(t.app).post('/api/self-healing/rules/validate').send(rulesDoc(rule('x')));
    expect(good.body).toEqual({ valid: true, problems: [], rules: 1 });
    const bad = await request(t.app)
      .post('/api/self-healing/rules/validate')
      .send(rulesDoc(rule('x'), rule('x'), rule('y', { action: { type: 'reboot_universe' } })));
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(['/rules/1/name', '/rules/2/action/type']);
    const dup = await request(t.app).post('/api/self-healing/rules/validate').send(rulesDoc(rule('x'), rule('x')));
    expect(dup.body.problems).toEqual([{ pointer: '/rules/1/name', message: 'duplicate rule name "x" (first at /rules/0)' }]);
    expect(readFile(t)).toBe(before);
    expect((await request(t.app).get('/api/self-healing/rules')).body.count).toBe(2);
  });

  it('refuses API edits while the file on disk is invalid (409), naming the problem', async () => {
    fs.writeFileSync(t.rulesFile, '{ "rules": [ ');
    const res = await request(t.app).patch('/api/self-healing/rules/first').send({ enabled: false });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('rules_file_invalid');
    expect(res.body.lastError.message).toMatch(/invalid JSON/);
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe('{ "rules": [ ');
  });
});

describe('rules file watching', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('first')), config: { rules: { watch: true, watchDebounceMs: 30 } } });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('picks up a valid hand edit while running', async () => {
    const doc = JSON.parse(readFile(t));
    doc.rules.push(rule('added-by-hand'));
    fs.writeFileSync(t.rulesFile, JSON.stringify(doc, null, 2));
    await waitFor(() => t.services.rules.current().byName.has('added-by-hand'), { what: 'the hand-added rule' });
    const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.4 }));
    expect(res.body.decisions.map((d: { rule: string }) => d.rule)).toEqual(['first', 'added-by-hand']);
  });

  it('refuses an invalid hand edit whole: last good rules stay, the error is logged and shown', async () => {
    const version = t.services.rules.current().version;
    fs.writeFileSync(t.rulesFile, JSON.stringify(rulesDoc(rule('first'), rule('broken', { priority: -3 })), null, 2));
    await waitFor(() => t.services.rules.status().lastError !== null, { what: 'the refusal of the edit' });
    const res = await request(t.app).get('/api/self-healing/rules');
    expect(res.body.version).toBe(version);
    expect(res.body.rules.map((r: { name: string }) => r.name)).toEqual(['first']);
    expect(res.body.lastError).toMatchObject({ file: t.rulesFile, pointer: '/rules/1/priority' });
    expect(res.body.lastError.message).toMatch(/>= 1/);
    expect(t.logLines.some((l) => l.includes('rules file refused') && l.includes('/rules/1/priority'))).toBe(true);
    // Fixing the file clears the error and applies it.
    fs.writeFileSync(t.rulesFile, JSON.stringify(rulesDoc(rule('first'), rule('fixed')), null, 2));
    await waitFor(() => t.services.rules.status().lastError === null && t.services.rules.current().byName.has('fixed'), { what: 'the fixed file applied' });
  });
});
