import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { helmetHeaders } from '../../src/http/helmet-headers';

/** An app answering every path, after `security`; express's own X-Powered-By left on, as helmet expects to find it. */
function appWith(security: express.RequestHandler) {
  const app = express();
  app.use(security);
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  return app;
}

/** The headers an answer carries, without those that differ between two answers anyway. */
function headersOf(res: request.Response): Record<string, string> {
  const { date: _date, etag: _etag, ...rest } = res.headers as Record<string, string>;
  return rest;
}

describe('helmet headers worked out once', () => {
  it('gives every answer exactly the headers helmet itself gives, X-Powered-By removed', async () => {
    for (const path of ['/ok', '/missing']) {
      const byHelmet = await request(appWith(helmet())).get(path);
      const once = await request(appWith(helmetHeaders())).get(path);
      expect(once.status).toBe(byHelmet.status);
      expect(headersOf(once)).toEqual(headersOf(byHelmet));
      expect(once.headers['x-powered-by']).toBeUndefined();
      // The set is helmet's whole default set, not an empty one on both sides.
      expect(Object.keys(once.headers)).toEqual(
        expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']),
      );
    }
    // Without either, express says who it is: the removal is helmet's doing, replayed.
    expect((await request(appWith((_req, _res, next) => next())).get('/ok')).headers['x-powered-by']).toBe('Express');
  });
});
