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
        parameters: [{ name: 'by', in: 'query', description: 'Who.', schema: { type: 'string' } }],
        responses: [{ status: 200, description: 'The pause.', schema: pauseStateSchema }],
      },
    });
    // Never run: the compiler is the test (tsc -p tsconfig.json covers tests/).
    const typed = () =>
      mount(Router(), routes.probe, (req, res) => {
        const id: string = req.params.id;
        readQuery(routes.probe, req).string('by');
        // @ts-expect-error an undeclared query parameter
        readQuery(routes.probe, req).string('verbose');
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
