import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { ResponseChecker } from '../helpers/openapi-contract';
import { buildTestApp, type TestApp } from '../helpers/test-app';

const PATH = '/api/self-healing/silences';

describe('silences API', () => {
  let t: TestApp;
  let checker: ResponseChecker;
  const inHours = (h: number) => new Date(t.clock.now().getTime() + h * 3_600_000).toISOString();
  const op = (req: request.Test) => req.set(...bearer(KEYS.operator));
  const asDocumented = (method: string, path: string, res: request.Response) => expect(checker.check(method, path, res)).toEqual([]);

  beforeEach(async () => {
    t = await buildTestApp({ config: { auth: { apiKeys: API_KEYS } } });
    const doc = (await request(t.app).get('/api/openapi.json')).body as ConstructorParameters<typeof ResponseChecker>[0];
    checker = new ResponseChecker(doc);
  });

  afterEach(async () => {
    await t.stop();
  });

  it('creates (operator), reads (viewer) and expires a silence; who and when are kept, and both changes are announced', async () => {
    const body = {
      matchers: { target: 'router', rule: { regex: 'slow-.*' } },
      endsAt: inHours(2),
      comment: 'primary host upgrade',
      schedule: { timeZone: 'europe/berlin', weekdays: ['mon-fri'], times: { start: '22:00', end: '06:00' } },
    };
    const created = await op(request(t.app).post(PATH)).send(body);
    expect(created.status).toBe(201);
    asDocumented('POST', PATH, created);
    expect(created.body).toMatchObject({
      matchers: body.matchers,
      startsAt: t.clock.now().toISOString(),
      endsAt: body.endsAt,
      createdBy: 'op',
      expiredAt: null,
      state: 'active',
      schedule: { timeZone: 'Europe/Berlin', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], times: { start: '22:00', end: '06:00' } },
    });
    const id = created.body.id as string;
    const read = await request(t.app).get(`${PATH}/${id}`).set(...bearer(KEYS.viewer));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect((await request(t.app).post(PATH).set(...bearer(KEYS.viewer)).send(body)).status).toBe(403);
    expect((await request(t.app).delete(`${PATH}/${id}`).set(...bearer(KEYS.viewer))).status).toBe(403);

    t.clock.advance(60_000);
    const expired = await op(request(t.app).delete(`${PATH}/${id}`));
    expect(expired.status).toBe(200);
    asDocumented('DELETE', `${PATH}/${id}`, expired);
    expect(expired.body).toMatchObject({ id, expiredAt: t.clock.now().toISOString(), expiredBy: 'op', state: 'expired', inForce: false });
    const again = await op(request(t.app).delete(`${PATH}/${id}`));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'silence_expired', detail: expect.stringContaining('was expired by op') });
    expect(t.notifier.events.filter((e) => e.type.startsWith('silence.')).map((e) => [e.type, (e.data.silence as { id: string }).id])).toEqual([
      ['silence.created', id],
      ['silence.expired', id],
    ]);
  });

  it('lists newest first with the cursor, and filters by state', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const startsAt = i === 2 ? inHours(1) : undefined;
      const res = await op(request(t.app).post(PATH)).send({ matchers: { type: 'throttle' }, endsAt: inHours(3), comment: `c${i}`, ...(startsAt ? { startsAt } : {}) });
      ids.push(res.body.id);
      t.clock.advance(1000);
    }
    await op(request(t.app).delete(`${PATH}/${ids[0]}`));
    const first = await request(t.app).get(`${PATH}?limit=2`).set(...bearer(KEYS.viewer));
    asDocumented('GET', PATH, first);
    expect(first.body.items.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    const second = await request(t.app).get(`${PATH}?limit=2&cursor=${first.body.nextCursor}`).set(...bearer(KEYS.viewer));
    expect(second.body).toMatchObject({ items: [{ id: ids[0], state: 'expired' }], nextCursor: null });
    const state = async (s: string) => (await request(t.app).get(`${PATH}?state=${s}`).set(...bearer(KEYS.viewer))).body.items.map((x: { id: string }) => x.id);
    expect(await state('pending')).toEqual([ids[2]]);
    expect(await state('active')).toEqual([ids[1]]);
    expect(await state('expired')).toEqual([ids[0]]);
    expect((await request(t.app).get(`${PATH}?state=gone`).set(...bearer(KEYS.viewer))).status).toBe(400);
    expect((await request(t.app).get(`${PATH}?limit=0`).set(...bearer(KEYS.viewer))).status).toBe(400);
    expect((await request(t.app).get(`${PATH}?sort=asc`).set(...bearer(KEYS.viewer))).status).toBe(400);
  });

  it('answers 404 for an unknown silence and 400 for an id that is not one', async () => {
    expect((await request(t.app).get(`${PATH}/0190a6c4-0000-7000-8000-000000000000`).set(...bearer(KEYS.viewer))).status).toBe(404);
    expect((await op(request(t.app).delete(`${PATH}/0190a6c4-0000-7000-8000-000000000000`))).status).toBe(404);
    expect((await request(t.app).get(`${PATH}/nope`).set(...bearer(KEYS.viewer))).status).toBe(400);
  });

  const good = () => ({ matchers: { rule: 'r' }, endsAt: inHours(1), comment: 'c' });
  it.each([
    ['empty matchers', (b: Record<string, unknown>) => ({ ...b, matchers: {} }), '/matchers'],
    ['an unknown matcher', (b: Record<string, unknown>) => ({ ...b, matchers: { team: 'x' } }), '/matchers/team'],
    ['an unknown field', (b: Record<string, unknown>) => ({ ...b, reason: 'x' }), '/reason'],
    ['no comment', (b: Record<string, unknown>) => ({ ...b, comment: '   ' }), '/comment'],
    ['endsAt before startsAt', (b: Record<string, unknown>) => ({ ...b, startsAt: inHours(2) }), '/endsAt'],
    ['endsAt already past', (b: Record<string, unknown>) => ({ ...b, endsAt: inHours(-1), startsAt: inHours(-2) }), '/endsAt'],
    ['a silence over a year long', (b: Record<string, unknown>) => ({ ...b, endsAt: inHours(24 * 400) }), '/endsAt'],
    ['endsAt not a date', (b: Record<string, unknown>) => ({ ...b, endsAt: '2026-02-30T00:00:00Z' }), '/endsAt'],
    ['endsAt a number', (b: Record<string, unknown>) => ({ ...b, endsAt: 1e308 }), '/endsAt'],
    ['a bad regex', (b: Record<string, unknown>) => ({ ...b, matchers: { rule: { regex: '(' } } }), '/matchers/rule/regex'],
    ['an unsafe regex', (b: Record<string, unknown>) => ({ ...b, matchers: { rule: { regex: '(a+)+$' } } }), '/matchers/rule/regex'],
    ['a bad zone', (b: Record<string, unknown>) => ({ ...b, schedule: { timeZone: 'Moon/Base', weekdays: ['mon'] } }), '/schedule/timeZone'],
    ['a bad weekday', (b: Record<string, unknown>) => ({ ...b, schedule: { timeZone: 'UTC', weekdays: ['someday'] } }), '/schedule/weekdays/0'],
    ['a bad time', (b: Record<string, unknown>) => ({ ...b, schedule: { timeZone: 'UTC', times: { start: '24:30', end: '06:00' } } }), '/schedule/times/start'],
    ['an empty schedule', (b: Record<string, unknown>) => ({ ...b, schedule: { timeZone: 'UTC' } }), '/schedule'],
  ])('refuses %s with a 400 naming it, and stores nothing', async (_what, change, pointer) => {
    const res = await op(request(t.app).post(PATH)).send(change(good()));
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect((await t.store.silences.listSilences({ limit: 5, now: t.clock.now() })).items).toEqual([]);
  });
});
