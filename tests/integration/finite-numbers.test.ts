import fs from 'node:fs';
import request from 'supertest';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * JSON.parse reads `1e400` as Infinity, which the service would hold, compare, and write back as
 * null. Wherever JSON enters, such a number is refused with a 400 naming its pointer.
 */

const RULES = rulesDoc(rule('errors', { action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 15 } }, cooldownMinutes: 0 }));

/** A JSON text with `1e400` where the marker string was. */
const withHugeNumber = (value: unknown, marker = '"HUGE"'): string => JSON.stringify(value).replace(marker, '1e400');

describe('numbers out of range', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: RULES });
  });

  afterEach(async () => {
    await t.stop();
  });

  const post = (method: 'post' | 'put' | 'patch', path: string, text: string) =>
    request(t.app)[method](path).set('Content-Type', 'application/json').send(text);

  it('refuses them in rules, rule patches and the rules file, and the file keeps its bytes', async () => {
    const before = fs.readFileSync(t.rulesFile, 'utf8');
    const cases: Array<[string, request.Test, string]> = [
      ['create', post('post', '/api/self-healing/rules', withHugeNumber(rule('huge', { conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 'HUGE' }] } }))), '/conditions/all/0/value'],
      ['replace', post('put', '/api/self-healing/rules/errors', withHugeNumber(rule('errors', { cooldownMinutes: 'HUGE' }))), '/cooldownMinutes'],
      ['patch', post('patch', '/api/self-healing/rules/errors', '{"priority":-1e400}'), '/priority'],
      ['rules file', post('put', '/api/self-healing/rules-file', withHugeNumber(rulesDoc(rule('errors', { priority: 'HUGE' })))), '/rules/0/priority'],
      ['validate', post('post', '/api/self-healing/rules/validate', withHugeNumber(rulesDoc(rule('errors', { priority: 'HUGE' })))), '/rules/0/priority'],
    ];
    for (const [what, pending, pointer] of cases) {
      const res = await pending;
      expect([what, res.status, res.body.code]).toEqual([what, 400, 'validation_failed']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect([what, res.body.errors[0].pointer]).toEqual([what, pointer]);
      expect(res.body.errors[0].message).toMatch(/out of range/);
    }
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(before);
  });

  it('refuses them in snapshots, batches (JSON and NDJSON), replay and Alertmanager, storing and doing nothing', async () => {
    const huge = withHugeNumber(snapshot({ errorRate: 'HUGE' }));
    const cases: Array<[string, request.Test, string]> = [
      ['ingest', post('post', '/api/metrics', huge), '/metrics/errorRate'],
      ['batch', post('post', '/api/metrics/batch', `{"snapshots":[${JSON.stringify(snapshot({ errorRate: 0 }))},${huge}]}`), '/snapshots/1/metrics/errorRate'],
      ['replay', post('post', '/api/self-healing/replay', `{"snapshots":[${huge}]}`), '/snapshots/0/metrics/errorRate'],
      ['alertmanager', post('post', '/api/webhooks/alertmanager', '{"version":"4","groupKey":"g","truncatedAlerts":1e999,"status":"firing","receiver":"r","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","alerts":[]}'), '/truncatedAlerts'],
    ];
    for (const [what, pending, pointer] of cases) {
      const res = await pending;
      expect([what, res.status, res.body.errors?.[0]?.pointer]).toEqual([what, 400, pointer]);
    }
    const ndjson = await request(t.app).post('/api/metrics/batch').set('Content-Type', 'application/x-ndjson').send(`${huge}\n`);
    expect(ndjson.body.results[0].error).toMatchObject({ status: 400, errors: [{ pointer: '/metrics/errorRate' }] });
    expect(await t.services.store.countSnapshots()).toBe(0);
    expect((await request(t.app).get('/api/self-healing/throttle')).body.active).toBe(false);
    expect((await request(t.app).get('/api/self-healing/actions')).body.items).toEqual([]);
  });

  it('refuses a hand-edited rules file holding one, keeping the rules in force and naming the pointer', async () => {
    const version = t.services.rules.current().version;
    fs.writeFileSync(t.rulesFile, withHugeNumber(rulesDoc(rule('errors', { conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 'HUGE' }] } }))));
    expect(await t.services.rules.reload()).toBe(false);
    expect(t.services.rules.current().version).toBe(version);
    const listed = await request(t.app).get('/api/self-healing/rules');
    expect(listed.body.lastError).toMatchObject({ pointer: '/rules/0/conditions/all/0/value' });
    expect(listed.body.lastError.message).toMatch(/out of range/);
    expect(listed.body.rules[0].conditions.all[0].value).toBe(0.05);
  });
});
