import request from 'supertest';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const RULES = rulesDoc(
  rule('a', { priority: 30, cooldownMinutes: 10 }),
  rule('gated', { priority: 20, requiresApproval: true }),
  rule('disk', { conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] } }),
);

type Decision = { rule: string; decision: string; status?: string };
const shape = (decisions: Decision[]) => decisions.map((d) => `${d.rule}:${d.decision}:${d.status ?? ''}`);

describe('POST /api/metrics/batch', () => {
  const apps: TestApp[] = [];
  const app = async (options: Parameters<typeof buildTestApp>[0] = {}) => {
    const t = await buildTestApp({ rules: RULES, ...options });
    apps.push(t);
    return t;
  };

  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop();
  });

  it('decides every snapshot exactly as the same snapshots sent one by one, cooldowns and approvals included', async () => {
    const snapshots = [
      snapshot({ errorRate: 0.2 }),
      snapshot({ errorRate: 0.3, diskPercent: 95 }),
      snapshot({ errorRate: 0.01 }),
      snapshot({ diskPercent: 99, errorRate: 0.5 }),
    ];
    const single = await app();
    const oneByOne: Decision[][] = [];
    for (const s of snapshots) oneByOne.push((await request(single.app).post('/api/metrics?wait=true').send(s).expect(200)).body.decisions);

    const batched = await app();
    const res = await request(batched.app).post('/api/metrics/batch?wait=true').send({ snapshots }).expect(200);
    expect(res.body.results).toHaveLength(4);
    expect(res.body.results.map((r: { decisions: Decision[] }) => shape(r.decisions))).toEqual(oneByOne.map(shape));
    // Spelled out: "a" fires once then is in cooldown; "gated" gets one approval, then cooldown.
    expect(shape(res.body.results[0].decisions)).toEqual(['a:execute:succeeded', 'gated:require_approval:pending_approval']);
    expect(shape(res.body.results[1].decisions)).toEqual(['a:cooldown:', 'gated:cooldown:', 'disk:execute:succeeded']);
    expect(await batched.services.store.countSnapshots()).toBe(4);
    for (const r of res.body.results) expect(await batched.services.store.getSnapshot(r.snapshotId)).not.toBeNull();
  });

  it('answers 207 with a problem in place of each bad snapshot, and lets the good ones through', async () => {
    const t = await app();
    const res = await request(t.app)
      .post('/api/metrics/batch')
      .send({ snapshots: [snapshot({ errorRate: 0.2 }), { source: '', metrics: {} }, 'nope', snapshot({ errorRate: 0.01 })] });
    expect(res.status).toBe(207);
    const [first, bad, worse, last] = res.body.results;
    expect(first.decisions.map((d: Decision) => d.rule)).toEqual(['a', 'gated']);
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect([...new Set(bad.error.errors.map((e: { pointer: string }) => e.pointer))].sort()).toEqual(['/source', '/timestamp']);
    expect(worse.error.status).toBe(400);
    expect(last).toMatchObject({ decisions: [] });
    expect(await t.services.store.countSnapshots()).toBe(2);
  });

  it('takes application/x-ndjson, one snapshot a line; a line that is not JSON is refused alone', async () => {
    const t = await app();
    const body = [JSON.stringify(snapshot({ errorRate: 0.2 })), '{"source": "x",', '', JSON.stringify(snapshot({ diskPercent: 95 }))].join('\n');
    const res = await request(t.app).post('/api/metrics/batch').set('Content-Type', 'application/x-ndjson').send(body);
    expect(res.status).toBe(207);
    expect(res.body.results).toHaveLength(3);
    expect(res.body.results[1].error.detail).toMatch(/not valid JSON/);
    expect(res.body.results[2].decisions.map((d: Decision) => d.rule)).toEqual(['disk']);
    expect(await t.services.store.countSnapshots()).toBe(2);
  });

  it('refuses an empty batch, one over the configured count, and one over the body limit, storing nothing', async () => {
    const t = await app({ config: { snapshots: { batchMaxCount: 2 }, server: { bodyLimit: '2kb' } } });
    const empty = await request(t.app).post('/api/metrics/batch').send({ snapshots: [] });
    expect(empty.status).toBe(400);
    const many = await request(t.app).post('/api/metrics/batch').send({ snapshots: [1, 2, 3].map(() => snapshot({ errorRate: 0.2 })) });
    expect(many.status).toBe(400);
    expect(many.body.detail).toMatch(/1 to 2 snapshots; this one has 3/);
    const big = await request(t.app).post('/api/metrics/batch').send({ snapshots: [snapshot({ blob: 'x'.repeat(4000) })] });
    expect(big.status).toBe(413);
    const bigNdjson = await request(t.app).post('/api/metrics/batch').set('Content-Type', 'application/x-ndjson').send(JSON.stringify(snapshot({ blob: 'x'.repeat(4000) })));
    expect(bigNdjson.status).toBe(413);
    const envelope = await request(t.app).post('/api/metrics/batch').send({ snapshot: [] });
    expect(envelope.status).toBe(400);
    expect(await t.services.store.countSnapshots()).toBe(0);
  });
});
