import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * A page of another site, in the browser of anyone on the machine, must not drive the service, open
 * or keyed: neither by a cross-site write nor through a DNS name rebound to 127.0.0.1.
 */

const TRIGGER = '/api/self-healing/rules/high-error-rate-throttle/trigger';

async function nothingChanged(t: TestApp): Promise<void> {
  const throttle = await request(t.app).get('/api/self-healing/throttle');
  expect(throttle.body).toMatchObject({ active: false });
  const actions = await request(t.app).get('/api/self-healing/actions');
  expect(actions.body.items).toEqual([]);
}

describe('cross-site writes and foreign Host names (open mode)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ config: { server: { allowedHosts: ['shre.internal'] } } });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('refuses the trigger a page of another site sends, and changes nothing', async () => {
    const res = await request(t.app)
      .post(TRIGGER)
      .set('Origin', 'http://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'cross_origin', origin: 'http://evil.example' });
    await nothingChanged(t);
  });

  it.each([
    ['a foreign Origin', { Origin: 'http://evil.example' }],
    ['Origin null (a sandboxed page)', { Origin: 'null' }],
    ['Sec-Fetch-Site: cross-site without Origin', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site without Origin', { 'Sec-Fetch-Site': 'same-site' }],
    ['a form body type', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['a multipart body type', { 'Content-Type': 'multipart/form-data; boundary=x' }],
    ['text/plain without Origin', { 'Content-Type': 'text/plain;charset=UTF-8' }],
  ])('refuses a write with %s on every kind of write route, body or not', async (_label, headers) => {
    const writes: Array<[string, string]> = [
      ['post', TRIGGER],
      ['post', '/api/health/router/reset'],
      ['delete', '/api/self-healing/throttle'],
      ['post', '/api/metrics'],
      ['put', '/api/self-healing/rules-file'],
      ['post', '/api/webhooks/alertmanager'],
    ];
    for (const [method, path] of writes) {
      const res = await request(t.app)[method as 'post'](path).set(headers);
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 'cross_origin']);
    }
    await nothingChanged(t);
  });

  it('refuses a Host that is not this service, for reads too (DNS rebinding)', async () => {
    for (const host of ['evil.example:3080', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io:3080', '0.0.0.0:3080']) {
      const res = await request(t.app).get('/api/self-healing/rules-file').set('Host', host);
      expect([host, res.status, res.body.code]).toEqual([host, 421, 'misdirected_request']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.rules).toBeUndefined();
    }
    const write = await request(t.app).post(TRIGGER).set('Host', 'evil.example:3080').send({});
    expect(write.status).toBe(421);
    await nothingChanged(t);
  });

  it('answers every loopback name with any port, and the names of server.allowedHosts', async () => {
    for (const host of ['127.0.0.1:3080', '127.0.0.1', 'localhost:3080', 'LOCALHOST', '[::1]:3080', '[::1]', '127.1.2.3:9', 'shre.internal', 'Shre.Internal:443']) {
      const res = await request(t.app).get('/api/self-healing/rules-file').set('Host', host);
      expect([host, res.status]).toEqual([host, 200]);
    }
  });

  it('keeps server-to-server callers working: curl without Origin, JSON bodies, body-less writes, Alertmanager', async () => {
    // curl -X POST $B/api/health/router/reset (no body, no Content-Type, no Origin) reaches the
    // reset itself, which checks the primary model host (none runs here).
    expect((await request(t.app).post('/api/health/router/reset')).body.code).toBe('primary_unhealthy');
    expect((await request(t.app).delete('/api/self-healing/throttle')).status).toBe(200);
    expect((await request(t.app).post('/api/metrics').send(snapshot({ errorRate: 0.01 }))).status).toBe(200);
    expect((await request(t.app).post('/api/metrics/batch').set('Content-Type', 'application/x-ndjson').send(`${JSON.stringify(snapshot({ x: 1 }))}\n`)).body.results).toMatchObject([{ decisions: [] }]);
    const am = await request(t.app)
      .post('/api/webhooks/alertmanager')
      .set('Content-Type', 'application/json')
      .set('User-Agent', 'Alertmanager/0.27.0')
      .send(JSON.stringify({ version: '4', groupKey: 'g', truncatedAlerts: 0, status: 'resolved', receiver: 'r', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', alerts: [{ status: 'resolved', labels: { alertname: 'X', job: 'api' }, annotations: {}, startsAt: '2026-03-01T09:58:00Z', endsAt: '2026-03-01T09:59:30Z', generatorURL: 'http://prometheus/graph', fingerprint: 'abc' }] }));
    expect(am.status).toBe(200);
  });

  it('lets the console (same origin, or Sec-Fetch-Site: same-origin) write', async () => {
    const sameOrigin = await request(t.app).post(TRIGGER).set('Host', 'localhost:3080').set('Origin', 'http://localhost:3080').set('Sec-Fetch-Site', 'same-origin').send({ reason: 'from the console' });
    expect(sameOrigin.status).toBe(200);
    const fetchMetadataOnly = await request(t.app).delete('/api/self-healing/throttle').set('Sec-Fetch-Site', 'same-origin');
    expect(fetchMetadataOnly.status).toBe(200);
  });
});

describe('cross-site writes and foreign Host names (keyed mode)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await buildTestApp({ config: { auth: { apiKeys: API_KEYS } } });
  });

  afterEach(async () => {
    await t.stop();
  });

  it('refuses them even with the right key', async () => {
    const crossSite = await request(t.app).post(TRIGGER).set(...bearer(KEYS.admin)).set('Origin', 'http://evil.example').set('Content-Type', 'application/json').send('{}');
    expect([crossSite.status, crossSite.body.code]).toEqual([403, 'cross_origin']);
    const rebound = await request(t.app).get('/api/self-healing/rules-file').set(...bearer(KEYS.admin)).set('Host', 'evil.example:3080');
    expect(rebound.status).toBe(421);
    // Refused before any key is looked at: a guess from a page costs no failure and reveals nothing.
    const anonymous = await request(t.app).get('/api/self-healing/rules-file').set('Host', 'evil.example');
    expect(anonymous.status).toBe(421);
    const ok = await request(t.app).post(TRIGGER).set(...bearer(KEYS.operator)).send({});
    expect(ok.status).toBe(200);
  });
});
