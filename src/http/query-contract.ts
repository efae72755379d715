import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../errors';
import { compilePath } from './access-policy';
import { declaredQueryOf, queryNamesOf, type RouteSpec } from './route-declaration';
import { queryReaderOf } from './query';

/**
 * A route that declares no query parameter refuses any with a 400 naming it, before its body is
 * read, from the declarations the document is built from (so the two cannot drift apart). Routes
 * with parameters read them strictly in the handler (readQuery), which reports unknown names
 * together with bad values of known ones (one 400 listing every problem).
 */
export function refuseUndeclaredQuery(routes: readonly RouteSpec[]) {
  // A declared parameter schema the reader could not check as the document says stops the start.
  for (const route of routes) queryReaderOf(declaredQueryOf(route));
  const compiled = routes.map((route) => ({
    method: route.method,
    pattern: compilePath(route.path),
    literal: !route.path.includes(':'),
    declares: queryNamesOf(route).length > 0,
  }));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const names = Object.keys(req.query);
    if (names.length === 0) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = compiled.filter((c) => c.method === method && c.pattern.test(req.path));
    // /rules/validate is its own operation, not /rules/{name} with the name "validate".
    const route = matching.find((c) => c.literal) ?? matching[0];
    if (!route || route.declares) return next();
    next(new ValidationError('query parameters are invalid', names.map((n) => ({ pointer: `/query/${n}`, message: 'is not a known parameter' }))));
  };
}
