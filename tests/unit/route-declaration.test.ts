import { Router } from 'express';
import { ROUTES, ROUTE_CATALOG } from '../../routes/route-catalog';
import { catalogOf, declareRoutes, mount, readQuery, routeUrl } from '../../src/http/route-declaration';
import { pauseStateSchema } from '../../src/schemas/closed-loop-schemas';

describe('a route declaration', () => {
  it('fills path parameters (encoded) and refuses a query parameter the route does not declare', () => {
    expect(routeUrl(ROUTES.getAction, { id: 'a/b c' })).toBe('/api/self-healing/actions/a%2Fb%20c');
    expect(routeUrl(ROUTES.listActions, {}, { status: 'failed,expired', rule: undefined, limit: '5' })).toBe('/api/self-healing/actions?status=failed%2Cexpired&limit=5');
    expect(() => routeUrl(ROUTES.getAction)).toThrow('getAction: the path parameter id is missing');
    expect(() => routeUrl(ROUTES.getPause, {}, { verbose: 'true' })).toThrow('getPause takes no query parameter verbose (it takes: none)');
  });

  it('names every operation once, and refuses two declarations of one name', () => {
    expect(new Set(ROUTE_CATALOG.map((r) => r.operationId)).size).toBe(ROUTE_CATALOG.length);
    const one = declareRoutes({ getPause: { ...ROUTES.getPause } });
    expect(() => catalogOf(one, one)).toThrow('two routes are declared as getPause');
  });

  it('types the reply from the declared schema and the query names from the declared parameters', () => {
    const routes = declareRoutes({
      probe: {
        method: 'GET',
        path: '/probe/:id',
        access: 'viewer',
        tag: 'automation',
        summary: 'A probe',
        parameters: [
          { name: 'by', in: 'query', description: 'Who.', schema: { type: 'string' } },
          { name: 'limit', in: 'query', description: 'How many.', schema: { type: 'integer', minimum: 1, maximum: 9, default: 5 } },
          { name: 'wait', in: 'query', description: 'Wait.', schema: { enum: ['true', 'false'] } },
          { name: 'since', in: 'query', description: 'From.', schema: { type: 'string', format: 'date-time' } },
          { name: 'status', in: 'query', description: 'Which.', style: 'form', explode: false, schema: { type: 'array', items: { enum: ['a', 'b'] } } },
        ],
        responses: [{ status: 200, description: 'The pause.', schema: pauseStateSchema }],
      },
    });
    // Never run: the compiler is the test (tsc -p tsconfig.json covers tests/).
    const typed = () =>
      mount(Router(), routes.probe, (req, res) => {
        const id: string = req.params.id;
        const query = readQuery(routes.probe, req);
        const by: string | undefined = query.by;
        const limit: number = query.limit;
        const wait: boolean | undefined = query.wait;
        const since: Date | undefined = query.since;
        const status: ('a' | 'b')[] | undefined = query.status;
        // @ts-expect-error not declared with a default: may be absent
        const given: string = query.by;
        // @ts-expect-error an undeclared query parameter
        void query.verbose;
        void [by, limit, wait, since, status, given];
        res.json({ paused: false, reason: null, by: null, since: null, until: new Date() });
        // @ts-expect-error `paused` must be a boolean
        res.json({ paused: 'no', reason: null, by: null, since: null, until: null });
        // @ts-expect-error `until` is required
        res.json({ paused: false, reason: null, by: null, since: null });
        // @ts-expect-error no undeclared member on a closed object
        res.json({ paused: false, reason: null, by: null, since: null, until: null, extra: 1 });
        return id;
      });
    expect(typeof typed).toBe('function');
  });
});

describe('the query a route declares', () => {
  const route = (schema: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    declareRoutes({
      probe: { method: 'GET', path: '/probe', access: 'viewer', tag: 'automation', summary: 'A probe', parameters: [{ name: 'p', in: 'query', description: 'P.', schema, ...extra }], responses: [] },
    }).probe;
  const read = (r: ReturnType<typeof route>, query: Record<string, unknown>) => readQuery(r, { query } as never) as Record<string, unknown>;

  it('fills in declared defaults and leaves absent ones out', () => {
    expect(read(route({ type: 'integer', minimum: 1, maximum: 9, default: 5 }), {})).toEqual({ p: 5 });
    expect(read(route({ enum: ['true', 'false'], default: 'true' }), { p: 'false' })).toEqual({ p: false });
    expect(read(route({ type: 'string' }), {})).toEqual({});
  });

  it('refuses, at its first read, a schema keyword or format the reader would not check as the document says', () => {
    expect(() => read(route({ type: 'string', multipleOf: 2 }), {})).toThrow('the query reader does not check "multipleOf"');
    expect(() => read(route({ type: 'string', format: 'email' }), {})).toThrow('format email is not one the query reader knows');
    expect(() => read(route({ type: 'integer', maximum: 9 }), {})).toThrow('declares its minimum');
    expect(() => read(route({ type: 'array', items: { enum: ['a'] } }), {})).toThrow('style form, explode false');
    expect(() => read(route({ enum: ['a'], default: 'b' }), {})).toThrow('the default "b" must be one of a');
  });
});
