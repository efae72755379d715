import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp } from '../helpers/test-app';

describe('rate limits', () => {
  it('stops an address after too many failed authentications, even with a good key, until the bucket refills', async () => {
    const t = await buildTestApp({ config: { auth: { apiKeys: API_KEYS, rateLimit: { authFailuresPerMinute: 3 } } } });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await request(t.app).get('/api/self-healing/rules').set(...bearer(`guess-${i}`))).status).toBe(401);
      }
      const blocked = await request(t.app).get('/api/self-healing/rules').set(...bearer(KEYS.viewer));
      expect(blocked.status).toBe(429);
      expect(blocked.type).toBe('application/problem+json');
      expect(blocked.headers['retry-after']).toBe('20');
      expect(blocked.body).toMatchObject({ status: 429, code: 'too_many_requests', retryAfterSeconds: 20 });
      // Routes that need no key are not affected.
      expect((await request(t.app).get('/api/health')).status).toBe(200);
      t.clock.advance(20_000);
      expect((await request(t.app).get('/api/self-healing/rules').set(...bearer(KEYS.viewer))).status).toBe(200);
      // Good keys do not count: many in a row stay fine.
      for (let i = 0; i < 5; i++) expect((await request(t.app).get('/api/ready').set(...bearer(KEYS.viewer))).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await request(t.app).get('/api/self-healing/actions').set(...bearer(KEYS.viewer))).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('counts every way a key is checked in one lockout: Bearer on GET /api/session, console sign-in, Bearer on a route', async () => {
    const t = await buildTestApp({ config: { auth: { apiKeys: API_KEYS, rateLimit: { authFailuresPerMinute: 3 } } } });
    try {
      const cookie = String((await request(t.app).post('/api/session').send({ apiKey: KEYS.viewer }).expect(200)).headers['set-cookie']![0]).split(';')[0]!;
      // One wrong guess each way.
      expect((await request(t.app).get('/api/session').set(...bearer('guess-1'))).body).toMatchObject({ via: null, name: null });
      expect((await request(t.app).post('/api/session').send({ apiKey: 'guess-2' })).status).toBe(401);
      expect((await request(t.app).get('/api/self-healing/rules').set(...bearer('guess-3'))).status).toBe(401);
      // Now every check refuses, the right key and a signed-in cookie included.
      const refused: Array<[string, request.Response]> = [
        ['GET /api/session with the right key', await request(t.app).get('/api/session').set(...bearer(KEYS.admin))],
        ['sign-in with the right key', await request(t.app).post('/api/session').send({ apiKey: KEYS.admin })],
        ['a route with the right key', await request(t.app).get('/api/self-healing/rules').set(...bearer(KEYS.admin))],
        ['a route with a signed-in cookie', await request(t.app).get('/api/self-healing/rules').set('Cookie', cookie)],
        ['GET /api/session with the cookie', await request(t.app).get('/api/session').set('Cookie', cookie)],
      ];
      for (const [what, res] of refused) {
        expect([what, res.status, res.body.code]).toEqual([what, 429, 'too_many_requests']);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      // Asking who you are without any credential is still answered.
      expect((await request(t.app).get('/api/session')).body).toMatchObject({ signedIn: false, via: null });
      t.clock.advance(20_000);
      expect((await request(t.app).get('/api/session').set(...bearer(KEYS.admin))).body).toMatchObject({ via: 'key', name: 'ad' });
    } finally {
      await t.stop();
    }
  });

  it('locks out GET /api/session guessing: a run of wrong keys there ends in 429, and the right key then gets 429 too', async () => {
    const t = await buildTestApp({ config: { auth: { apiKeys: API_KEYS, rateLimit: { authFailuresPerMinute: 5 } } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await request(t.app).get('/api/session').set(...bearer(`guess-${i}`))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      const right = await request(t.app).get('/api/session').set(...bearer(KEYS.viewer));
      expect(right.status).toBe(429);
      expect(right.body.name).toBeUndefined();
    } finally {
      await t.stop();
    }
  });

  it('counts a batch as one ingest request, and refuses a whole batch over the limit', async () => {
    const t = await buildTestApp({ rules: rulesDoc(rule('a')), config: { auth: { rateLimit: { ingestPerMinute: 2 } } } });
    try {
      const batch = { snapshots: Array.from({ length: 5 }, () => snapshot({ errorRate: 0.01 })) };
      expect((await request(t.app).post('/api/metrics/batch').send(batch)).status).toBe(200);
      expect((await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }))).status).toBe(200);
      const refused = await request(t.app).post('/api/metrics/batch').send(batch);
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toBe('more than 2 ingest requests a minute; retry in 30 s');
      expect(await t.services.store.countSnapshots()).toBe(6);
    } finally {
      await t.stop();
    }
  });

  it('limits ingest per client with 429 and Retry-After, storing nothing for a refused snapshot', async () => {
    const t = await buildTestApp({ rules: rulesDoc(rule('a')), config: { auth: { rateLimit: { ingestPerMinute: 2 } } } });
    try {
      for (let i = 0; i < 2; i++) expect((await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }))).status).toBe(200);
      const refused = await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }));
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('30');
      expect(refused.body.detail).toBe('more than 2 ingest requests a minute; retry in 30 s');
      expect(await t.services.store.countSnapshots()).toBe(2);
      // Other routes are not limited by it.
      expect((await request(t.app).get('/api/self-healing/rules')).status).toBe(200);
      t.clock.advance(30_000);
      expect((await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }))).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('counts ingest per key when keys are configured', async () => {
    const t = await buildTestApp({ rules: rulesDoc(rule('a')), config: { auth: { apiKeys: API_KEYS, rateLimit: { ingestPerMinute: 1 } } } });
    try {
      expect((await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ x: 1 }))).status).toBe(200);
      expect((await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ x: 1 }))).status).toBe(429);
      expect((await request(t.app).post('/api/metrics').set(...bearer(KEYS.admin)).send(snapshot({ x: 1 }))).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('rate limits across instances', () => {
  it('holds the configured ingest limit for two instances together: each takes its share', async () => {
    const config = { auth: { rateLimit: { ingestPerMinute: 6, instances: 2 } } };
    const a = await buildTestApp({ rules: rulesDoc(rule('a')), config });
    const b = await buildTestApp({ rules: rulesDoc(rule('a')), config, dir: a.dir });
    try {
      const statuses: number[] = [];
      // A client spreading its snapshots over both instances, as PM2's round robin does.
      for (let i = 0; i < 10; i++) {
        const t = i % 2 === 0 ? a : b;
        statuses.push((await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }))).status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(6);
      expect(statuses.filter((s) => s === 429)).toHaveLength(4);
      const refused = await request(a.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }));
      expect(refused.body.detail).toMatch(/^more than 6 ingest requests a minute \(across 2 instances\)/);
      expect(await a.services.store.countSnapshots()).toBe(6);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
