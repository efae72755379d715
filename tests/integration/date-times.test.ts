import request from 'supertest';
import { parseDateTime } from '../../src/domain/date-time';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/** A date-time that names no instant a Date can hold (a leap second, February 30) is a 400, never a 500. */

const LEAP = '2026-12-31T23:59:60Z';
const NO_SUCH_DAY = '2026-02-30T00:00:00Z';

describe('date-times', () => {
  it('one function decides what a date-time is', () => {
    for (const good of ['2026-03-01T10:00:00Z', '2026-03-01t10:00:00.123456z', '2026-03-01T10:00:00+02:00', '2024-02-29T00:00:00Z', '2000-02-29T23:59:59-23:59', '2026-03-01 10:00:00Z']) {
      expect([good, parseDateTime(good)?.getTime()]).toEqual([good, new Date(good.replace(' ', 'T').toUpperCase()).getTime()]);
    }
    for (const bad of [LEAP, '2026-06-30T23:59:60+00:00', NO_SUCH_DAY, '2100-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-01T24:00:00Z', '2026-03-01T10:00:00+24:00', '2026-03-01T10:00:00', '2026-03-01', 'yesterday']) {
      expect([bad, parseDateTime(bad)]).toEqual([bad, null]);
    }
  });

  describe('on the API', () => {
    let t: TestApp;

    beforeEach(async () => {
      t = await buildTestApp({ rules: rulesDoc(rule('errors', { cooldownMinutes: 0 })) });
    });

    afterEach(async () => {
      await t.stop();
    });

    it('refuses them in bodies with 400 naming the pointer: pause, replay, snapshots, batches', async () => {
      const cases: Array<[string, request.Test, string]> = [
        ['pause until', request(t.app).post('/api/self-healing/pause').send({ reason: 'maintenance', until: LEAP }), '/until'],
        ['replay from', request(t.app).post('/api/self-healing/replay').send({ from: LEAP }), '/from'],
        ['replay to', request(t.app).post('/api/self-healing/replay').send({ to: NO_SUCH_DAY }), '/to'],
        ['replay timestamp', request(t.app).post('/api/self-healing/replay').send({ snapshots: [{ ...snapshot({ errorRate: 0.5 }), timestamp: LEAP }] }), '/snapshots/0/timestamp'],
        ['ingest timestamp', request(t.app).post('/api/metrics').send({ ...snapshot({ errorRate: 0.5 }), timestamp: LEAP }), '/timestamp'],
      ];
      for (const [what, pending, pointer] of cases) {
        const res = await pending;
        expect([what, res.status, res.body.code]).toEqual([what, 400, 'validation_failed']);
        expect([what, res.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual([what, [pointer]]);
      }
      const batch = await request(t.app).post('/api/metrics/batch').send({ snapshots: [{ ...snapshot({ errorRate: 0.5 }), timestamp: NO_SUCH_DAY }] });
      expect(batch.body.results[0].error).toMatchObject({ status: 400, errors: [{ pointer: '/timestamp' }] });
      expect((await request(t.app).get('/api/self-healing/pause')).body).toMatchObject({ paused: false });
      expect(await t.services.store.countSnapshots()).toBe(0);
    });

    it('refuses them in query parameters with the same rule', async () => {
      const cases: Array<[string, string]> = [
        [`/api/self-healing/actions?since=${LEAP}`, '/query/since'],
        [`/api/self-healing/actions?until=${NO_SUCH_DAY}`, '/query/until'],
        [`/api/self-healing/alerts?since=${LEAP}`, '/query/since'],
        [`/api/self-healing/snapshots?from=${LEAP}`, '/query/from'],
        ['/api/self-healing/actions?since=2026-03-01T10:00:00', '/query/since'],
      ];
      for (const [url, pointer] of cases) {
        const res = await request(t.app).get(url);
        expect([url, res.status, res.body.errors?.[0]?.pointer]).toEqual([url, 400, pointer]);
      }
      expect((await request(t.app).get('/api/self-healing/actions?since=2026-03-01T10:00:00%2B02:00')).status).toBe(200);
    });
  });
});
