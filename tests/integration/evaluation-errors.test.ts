import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const EXIT_FILTER = "$[?(@.constructor.constructor('return process')().exit(7))]";
const NULL_FILTER = '$.hosts[?(@.latency > 100)]';

// Passes validation (a fact reference is a legitimate value) but throws when `limits` holds no list:
// `in` calls indexOf on whatever the reference resolves to.
const throwsOnData = rule('fragile', {
  priority: 50,
  conditions: { all: [{ fact: 'region', operator: 'in', value: { fact: 'limits' } }] },
});

describe('one rule that cannot be evaluated never stops the others', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it.each([EXIT_FILTER, NULL_FILTER])('refuses a rule whose path is a filter or script expression (%s)', async (path) => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    const res = await request(t.app)
      .post('/api/self-healing/rules')
      .send(rule('filtered', { conditions: { all: [{ fact: 'hosts', path, operator: 'equal', value: 1 }] } }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ pointer: '/conditions/all/0/path', message: expect.stringMatching(/filter|script/) }),
    ]);
    const ingest = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2, hosts: [{ latency: 200 }, null] }));
    expect(ingest.status).toBe(200);
    expect(ingest.body.decisions).toEqual([expect.objectContaining({ rule: 'a', decision: 'execute' })]);
  });

  it('refuses the same paths in a value that refers to a fact, and in a rules file', async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
    const res = await request(t.app)
      .post('/api/self-healing/rules/validate')
      .send(
        rulesDoc(
          rule('ref', { conditions: { all: [{ fact: 'x', operator: 'equal', value: { fact: 'hosts', path: NULL_FILTER } }] } }),
          rule('deep', { conditions: { any: [{ fact: 'hosts', path: '$..[?(@.a)]', operator: 'equal', value: 1 }] } }),
        ),
      );
    expect(res.body.valid).toBe(false);
    expect(res.body.problems.map((p: { pointer: string }) => p.pointer)).toEqual([
      '/rules/0/conditions/all/0/value/path',
      '/rules/1/conditions/any/0/path',
    ]);
  });

  it('records evaluation_error for the failing rule and decides every other rule as usual', async () => {
    t = await buildTestApp({ rules: rulesDoc(throwsOnData, rule('a', { priority: 10 })) });
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ errorRate: 0.2, region: 'eu', limits: 5 }));
    expect(res.status).toBe(200);
    expect(res.body.decisions).toEqual([
      { rule: 'fragile', decision: 'evaluation_error', reason: expect.stringMatching(/^rule could not be evaluated: .*indexOf/) },
      expect.objectContaining({ rule: 'a', decision: 'execute', status: 'succeeded' }),
    ]);
    // The same rule evaluates normally once the data allows it.
    t.clock.advance(60_000);
    const fine = await request(t.app).post('/api/metrics').send(snapshot({ region: 'eu', limits: ['eu'] }));
    expect(fine.body.decisions).toEqual([expect.objectContaining({ rule: 'fragile', decision: 'execute' })]);
  });

  it('shows the last error and a count per rule, and raises one alert per rule per hour', async () => {
    t = await buildTestApp({ rules: rulesDoc(throwsOnData, rule('a')) });
    for (let i = 0; i < 3; i++) {
      await request(t.app).post('/api/metrics').send(snapshot({ region: 'eu', limits: 5 })).expect(200);
      t.clock.advance(10 * 60_000);
    }
    const listed = await request(t.app).get('/api/self-healing/rules');
    const byName = Object.fromEntries(listed.body.rules.map((r: { name: string }) => [r.name, r]));
    expect(byName.fragile.evaluationErrors).toEqual({
      count: 3,
      last: { message: expect.stringMatching(/indexOf/), at: '2026-03-01T10:20:00.000Z' },
    });
    expect(byName.a.evaluationErrors).toEqual({ count: 0, last: null });
    let alerts = (await t.services.store.listAlerts({ rule: 'fragile', limit: 10 })).items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toMatch(/fragile.*could not be evaluated/);
    t.clock.advance(31 * 60_000); // 61 minutes after the first alert
    await request(t.app).post('/api/metrics').send(snapshot({ region: 'eu', limits: 5 })).expect(200);
    alerts = (await t.services.store.listAlerts({ rule: 'fragile', limit: 10 })).items;
    expect(alerts).toHaveLength(2);
  });

  it('simulate shows evaluation_error for that rule and explains the others', async () => {
    t = await buildTestApp({ rules: rulesDoc(throwsOnData, rule('a')) });
    const res = await request(t.app)
      .post('/api/self-healing/simulate')
      .send({ snapshot: snapshot({ errorRate: 0.01, region: 'eu', limits: 5 }) });
    expect(res.status).toBe(200);
    const byRule = Object.fromEntries(res.body.results.map((r: { rule: string }) => [r.rule, r]));
    expect(byRule.fragile).toMatchObject({ matched: false, decision: 'evaluation_error', reason: expect.stringMatching(/indexOf/) });
    expect(byRule.a).toMatchObject({ matched: false, decision: 'no_match' });
    expect(byRule.a.failedConditions).toEqual([{ fact: 'errorRate', operator: 'greaterThan', value: 0.05, factValue: 0.01, result: false }]);
  });
});

describe('how each rule is evaluated', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.stop();
  });

  it('says per rule whether it runs compiled or on json-rules-engine, and why', async () => {
    // A reference to a fact by a number is valid for json-rules-engine (it reads as a missing fact)
    // but not something the compiler handles.
    const odd = rule('odd', { conditions: { all: [{ fact: 'x', operator: 'equal', value: { fact: 5 } }] } });
    t = await buildTestApp({ rules: rulesDoc(rule('a'), odd) });
    const listed = await request(t.app).get('/api/self-healing/rules').expect(200);
    const byName = Object.fromEntries(listed.body.rules.map((r: { name: string }) => [r.name, r]));
    expect(byName.a.evaluation).toBe('compiled');
    expect(byName.a.interpretedBecause).toBeUndefined();
    expect(byName.odd).toMatchObject({ evaluation: 'interpreted', interpretedBecause: expect.stringMatching(/fact whose name is not a string/) });
    // Both still decide: "odd" holds when x is missing (undefined === undefined).
    const res = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.2 })).expect(200);
    expect(res.body.decisions.map((d: { rule: string }) => d.rule).sort()).toEqual(['a', 'odd']);
  });
});
