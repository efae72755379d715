import request from 'supertest';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

describe('security headers and error bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ rules: rulesDoc(rule('a')) });
  });

  afterAll(async () => {
    await t.stop();
  });

  it('sends helmet headers on answers and errors alike, and no X-Powered-By', async () => {
    for (const path of ['/api/health', '/api/nothing-here']) {
      const res = await request(t.app).get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('answers a URL that cannot be decoded with 400, not 500', async () => {
    for (const path of ['/api/self-healing/rules/%E0%A4%A', '/api/self-healing/actions/%ZZ', '/api/prompts/%E0%A4%A/active']) {
      const res = await request(t.app).get(path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'bad_request', detail: 'the URL is not valid: a percent-encoded part cannot be decoded' });
    }
    expect(t.logLines.some((l) => l.includes('unhandled error'))).toBe(false);
  });

  it('answers other body-parser failures with their 4xx and a fixed message', async () => {
    const wrongLength = await request(t.app)
      .post('/api/metrics')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('not gzip at all');
    expect(wrongLength.status).toBeGreaterThanOrEqual(400);
    expect(wrongLength.status).toBeLessThan(500);
    expect(wrongLength.type).toBe('application/problem+json');
    expect(JSON.stringify(wrongLength.body)).not.toMatch(/node_modules|at .*\(/);
  });

  it('answers an internal failure with a bare 500: no stack, no message from inside', async () => {
    const u = await buildTestApp({ rules: rulesDoc(rule('a')) });
    // A closed SQLite handle throws at once; other stores may wait to reconnect instead.
    if (u.services.store.kind !== 'sqlite') return void (await u.stop());
    await u.services.store.close();
    const res = await request(u.app).get('/api/self-healing/actions');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ status: 500, code: 'internal_error', detail: 'internal error' });
    expect(JSON.stringify(res.body)).not.toMatch(/sqlite|database|\.ts|at /i);
    expect(u.logLines.some((l) => l.includes('unhandled error'))).toBe(true);
    await u.stop().catch(() => undefined);
  });
});
