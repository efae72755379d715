import request from 'supertest';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

/**
 * Idempotency-Key on POST /api/metrics and /api/metrics/batch: a retry with the key gets the first
 * reply (same snapshot id, same decisions) and nothing is stored or dispatched again, on any instance.
 * A rule without cooldown would fire on every copy of the snapshot, so a second dispatch would show.
 */
const noCooldown = rulesDoc(rule('fires', { cooldownMinutes: 0 }));

describe('Idempotency-Key on ingest', () => {
  const apps: TestApp[] = [];
  const build = async (options: Parameters<typeof buildTestApp>[0] = {}) => {
    const t = await buildTestApp({ rules: noCooldown, ...options });
    apps.push(t);
    return t;
  };

  afterEach(async () => {
    for (const t of apps.splice(0)) await t.stop();
  });

  it('answers a retry with the first reply, stores and dispatches once', async () => {
    const t = await build();
    const body = snapshot({ errorRate: 0.2 });
    const first = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'retry-1').send(body);
    expect(first.status).toBe(200);
    expect(first.body.decisions).toEqual([expect.objectContaining({ rule: 'fires', decision: 'execute' })]);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const retry = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'retry-1').send(body);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await t.store.countSnapshots()).toBe(1);
    expect((await t.store.listActions({ limit: 10 })).items).toHaveLength(1);

    // Without a key the same snapshot is a new one: stored and evaluated again.
    const unkeyed = await request(t.app).post('/api/metrics').send(body);
    expect(unkeyed.body.snapshotId).not.toBe(first.body.snapshotId);
    expect(await t.store.countSnapshots()).toBe(2);
    expect((await t.store.listActions({ limit: 10 })).items).toHaveLength(2);
  });

  it('refuses the key with a different body or query (422), and stores nothing for it', async () => {
    const t = await build();
    await request(t.app).post('/api/metrics').set('Idempotency-Key', 'k').send(snapshot({ errorRate: 0.2 })).expect(200);
    for (const [path, body] of [
      ['/api/metrics', snapshot({ errorRate: 0.3 })],
      ['/api/metrics?wait=true', snapshot({ errorRate: 0.2 })],
      ['/api/metrics/batch', { snapshots: [snapshot({ errorRate: 0.2 })] }],
    ] as const) {
      const res = await request(t.app).post(path).set('Idempotency-Key', 'k').send(body);
      expect(res.status).toBe(422);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'idempotency_key_reused', errors: [{ pointer: '/headers/idempotency-key' }] });
      expect(res.body.detail).toMatch(/Idempotency-Key "k" was used for a different request/);
    }
    expect(await t.store.countSnapshots()).toBe(1);
  });

  it('refuses a malformed key with a 400 naming the header, before anything is stored', async () => {
    const t = await build();
    for (const key of ['has space', 'x'.repeat(256), 'ünï']) {
      const res = await request(t.app).post('/api/metrics').set('Idempotency-Key', key).send(snapshot({ errorRate: 0.2 }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ pointer: '/headers/idempotency-key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    expect(await t.store.countSnapshots()).toBe(0);
  });

  it('keeps nothing for a refused request: the corrected retry with the key is served', async () => {
    const t = await build();
    const bad = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'fix').send({ source: '', metrics: {} });
    expect(bad.status).toBe(400);
    // The corrected request is a different body: it is served, not refused as a reused key.
    const good = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'fix').send(snapshot({ errorRate: 0.2 }));
    expect(good.status).toBe(200);
    expect(await t.store.countSnapshots()).toBe(1);
  });

  it('answers two concurrent requests with one key on two instances of one store with one reply and one dispatch', async () => {
    const dir = makeTempDir();
    const a = await build({ dir });
    const b = await build({ dir });
    const body = snapshot({ errorRate: 0.2 });
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => request((i % 2 === 0 ? a : b).app).post('/api/metrics').set('Idempotency-Key', 'same').send(body)),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const r of replies) expect(r.body).toEqual(replies[0]!.body);
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    expect(await a.store.countSnapshots()).toBe(1);
    expect((await a.store.listActions({ limit: 10 })).items).toHaveLength(1);
  });

  it('replays a batch reply, 207 and its per-item problems included', async () => {
    const t = await build();
    const body = { snapshots: [snapshot({ errorRate: 0.2 }), { source: '' }] };
    const first = await request(t.app).post('/api/metrics/batch').set('Idempotency-Key', 'batch-1').send(body);
    expect(first.status).toBe(207);
    const retry = await request(t.app).post('/api/metrics/batch').set('Idempotency-Key', 'batch-1').send(body);
    expect(retry.status).toBe(207);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await t.store.countSnapshots()).toBe(1);
  });

  it('forgets a key after snapshots.idempotency.ttlMinutes: the same request is then a new one', async () => {
    const t = await build({ config: { snapshots: { idempotency: { ttlMinutes: 5 } } } });
    const body = snapshot({ errorRate: 0.2 });
    const first = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'ttl').send(body);
    t.clock.advance(4 * 60_000);
    const kept = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'ttl').send(body);
    expect(kept.body.snapshotId).toBe(first.body.snapshotId);
    t.clock.advance(60_000);
    const after = await request(t.app).post('/api/metrics').set('Idempotency-Key', 'ttl').send(body);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.body.snapshotId).not.toBe(first.body.snapshotId);
    expect(await t.store.countSnapshots()).toBe(2);
    // The periodic sweep forgets what expired.
    t.clock.advance(5 * 60_000);
    expect(await t.store.idempotency.pruneIdempotencyKeys(t.clock.now())).toBe(1);
  });
});
