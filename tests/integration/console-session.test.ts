import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/** The console's session cookie as the API sees it: flags, expiry, sign-out, Origin check, role limits. */

const RULES = rulesDoc(rule('gated', { requiresApproval: true, cooldownMinutes: 0 }), rule('plain', { cooldownMinutes: 0 }));
const sessionConfig = (over: Record<string, unknown> = {}) => ({
  auth: { apiKeys: API_KEYS, rateLimit: { authFailuresPerMinute: 3 } },
  console: { sessionTtlMinutes: 30, ...over },
  // The tests reach the service under a name of their own, as behind a proxy.
  server: { allowedHosts: ['console.test'] },
});

async function signIn(t: TestApp, key: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await request(t.app).post('/api/session').send({ apiKey: key });
  expect(res.status).toBe(200);
  const setCookie = String((res.headers['set-cookie'] as unknown as string[])[0]);
  return { cookie: setCookie.split(';')[0]!, setCookie };
}

describe('console sessions', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ rules: RULES, config: sessionConfig() });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('issues an HttpOnly, SameSite=Strict cookie that expires with the session, and says who signed in', async () => {
    const res = await request(t.app).post('/api/session').send({ apiKey: KEYS.approver });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ open: false, signedIn: true, via: 'session', name: 'ap', role: 'approver', expiresAt: '2026-03-01T10:30:00.000Z' });
    const cookie = String((res.headers['set-cookie'] as unknown as string[])[0]);
    expect(cookie).toMatch(/^shre_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie.split('; ').slice(1)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=1800', 'Expires=Sun, 01 Mar 2026 10:30:00 GMT']);
    const who = await request(t.app).get('/api/session').set('Cookie', cookie.split(';')[0]!);
    expect(who.body).toMatchObject({ signedIn: true, name: 'ap', role: 'approver' });
    // The token is not what is stored.
    expect(t.logLines.join('\n')).not.toContain(cookie.split(';')[0]!.split('=')[1]);
  });

  it('marks the cookie Secure when configured behind TLS', async () => {
    const s = await buildTestApp({ rules: RULES, config: sessionConfig({ secureCookie: true }) });
    try {
      const { setCookie } = await signIn(s, KEYS.viewer);
      expect(setCookie.split('; ')).toContain('Secure');
      const out = await request(s.app).delete('/api/session').set('Cookie', setCookie.split(';')[0]!);
      expect(String((out.headers['set-cookie'] as unknown as string[])[0])).toMatch(/Max-Age=0.*Secure/);
    } finally {
      await s.stop();
    }
  });

  it('refuses a wrong key with 401 and sets no cookie; repeated failures get 429', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await request(t.app).post('/api/session').send({ apiKey: 'wrong' });
      expect(res.status).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const blocked = await request(t.app).post('/api/session').send({ apiKey: KEYS.admin });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });

  it('gives the cookie exactly the key\'s role', async () => {
    const viewer = await signIn(t, KEYS.viewer);
    expect((await request(t.app).get('/api/self-healing/rules').set('Cookie', viewer.cookie)).status).toBe(200);
    const denied = await request(t.app).patch('/api/self-healing/rules/plain').set('Cookie', viewer.cookie).set('Host', 'console.test').set('Origin', 'http://console.test').send({ enabled: false });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_role', requiredRole: 'admin', keyRole: 'viewer' });
    expect(t.services.rules.current().byName.get('plain')!.enabled).toBe(true);

    await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.5 })).expect(200);
    const pending = (await request(t.app).get('/api/self-healing/actions?status=pending_approval').set('Cookie', viewer.cookie)).body.items[0];
    const approver = await signIn(t, KEYS.approver);
    const approved = await request(t.app)
      .post(`/api/self-healing/actions/${pending.id}/approve`)
      .set('Cookie', approver.cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ by: 'someone' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'succeeded', decidedBy: 'ap' });
  });

  it('refuses a cookie-authenticated write from another origin, or with no origin at all, and changes nothing', async () => {
    const admin = await signIn(t, KEYS.admin);
    const attempts = [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      {},
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const res = await request(t.app).patch('/api/self-healing/rules/plain').set('Cookie', admin.cookie).set(headers).send({ enabled: false });
      expect([JSON.stringify(headers), res.status, res.body.code]).toEqual([JSON.stringify(headers), 403, 'cross_origin']);
    }
    expect(t.services.rules.current().byName.get('plain')!.enabled).toBe(true);
    // Reading is not a write: no Origin needed.
    expect((await request(t.app).get('/api/self-healing/rules').set('Cookie', admin.cookie)).status).toBe(200);
    // The console's own origin passes.
    const ok = await request(t.app).patch('/api/self-healing/rules/plain').set('Cookie', admin.cookie).set('Host', 'console.test').set('Origin', 'http://console.test').send({ enabled: false });
    expect(ok.status).toBe(200);
    // A Bearer key is not a cookie: API clients send no Origin and need none.
    expect((await request(t.app).patch('/api/self-healing/rules/plain').set(...bearer(KEYS.admin)).send({ enabled: true })).status).toBe(200);
    // A page of another site cannot sign a browser in either.
    expect((await request(t.app).post('/api/session').set('Origin', 'https://evil.example').send({ apiKey: KEYS.admin })).status).toBe(403);
  });

  it('expires: after the TTL the cookie opens nothing', async () => {
    const viewer = await signIn(t, KEYS.viewer);
    t.clock.advance(29 * 60_000);
    expect((await request(t.app).get('/api/self-healing/rules').set('Cookie', viewer.cookie)).status).toBe(200);
    t.clock.advance(60_000);
    const late = await request(t.app).get('/api/self-healing/rules').set('Cookie', viewer.cookie);
    expect(late.status).toBe(401);
    expect((await request(t.app).get('/api/session').set('Cookie', viewer.cookie)).body).toMatchObject({ signedIn: false, name: null, role: null });
  });

  it('signs out on every instance sharing the store', async () => {
    const other = await buildTestApp({ dir: t.dir, clock: t.clock, rules: RULES, config: sessionConfig() });
    try {
      const { cookie } = await signIn(t, KEYS.viewer);
      expect((await request(other.app).get('/api/self-healing/rules').set('Cookie', cookie)).status).toBe(200);
      const out = await request(other.app).delete('/api/session').set('Cookie', cookie);
      expect(out.body).toEqual({ signedIn: false, ended: true });
      expect(String((out.headers['set-cookie'] as unknown as string[])[0])).toMatch(/^shre_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
      expect((await request(t.app).get('/api/self-healing/rules').set('Cookie', cookie)).status).toBe(401);
      expect((await request(t.app).delete('/api/session').set('Cookie', cookie)).body).toEqual({ signedIn: false, ended: false });
    } finally {
      await other.stop();
    }
  });

  it('drops a session whose key was removed or given another role', async () => {
    const { cookie } = await signIn(t, KEYS.approver);
    await t.stop();
    t = await buildTestApp({ dir: t.dir, clock: t.clock, rules: RULES, config: { ...sessionConfig(), auth: { apiKeys: `ap:viewer:${KEYS.approver}` } } });
    expect((await request(t.app).get('/api/self-healing/rules').set('Cookie', cookie)).status).toBe(401);
  });
});

describe('console session without keys (open on loopback)', () => {
  it('needs no sign-in: the caller may do everything, and sign-in says so', async () => {
    const t = await buildTestApp({ rules: RULES });
    try {
      expect((await request(t.app).get('/api/session')).body).toEqual({ open: true, signedIn: false, via: 'open', name: null, role: 'admin', expiresAt: null });
      const res = await request(t.app).post('/api/session').send({ apiKey: 'anything' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('sign_in_not_needed');
    } finally {
      await t.stop();
    }
  });

  it('serves the console itself from the service, with a strict content security policy', async () => {
    const t = await buildTestApp({ rules: RULES, config: { auth: { apiKeys: API_KEYS } } });
    try {
      const page = await request(t.app).get('/console/');
      expect(page.status).toBe(200);
      expect(page.type).toBe('text/html');
      expect(page.text).toContain('<script type="module" src="js/app.js"></script>');
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'.*connect-src 'self'/);
      expect(page.text).not.toMatch(/https?:\/\//);
      const script = await request(t.app).get('/console/js/app.js');
      expect(script.status).toBe(200);
      expect(script.type).toMatch(/javascript/);
      expect((await request(t.app).get('/console')).status).toBe(301);
      expect((await request(t.app).get('/console/../package.json')).status).toBe(404);
      // The chart library comes from the service's own node_modules, under the same policy; nothing else from there.
      const uplot = await request(t.app).get('/console/vendor/uplot/uPlot.esm.js');
      expect(uplot.status).toBe(200);
      expect(uplot.type).toMatch(/javascript/);
      expect(uplot.text).toMatch(/export \{ uPlot as default \}|export default uPlot/);
      expect(uplot.headers['content-security-policy']).toMatch(/style-src 'self'/);
      expect((await request(t.app).get('/console/vendor/uplot/uPlot.min.css')).type).toBe('text/css');
      expect((await request(t.app).get('/console/vendor/uplot/package.json')).status).toBe(404);
      expect((await request(t.app).get('/console/vendor/better-sqlite3/package.json')).status).toBe(404);
      expect((await request(t.app).get('/console/vendor/uplot/..%2F..%2Fpackage.json')).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
