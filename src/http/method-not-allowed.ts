import type { NextFunction, Request, Response } from 'express';
import { MethodNotAllowedError } from '../errors';
import { ACCESS_POLICY, type AccessRule, compilePath } from './access-policy';

/**
 * Placed after every router: a request that reached it matched no route. If its path is one the
 * service serves (with other methods), the answer is 405 with `Allow` (RFC 9110 §15.5.6) rather than
 * 404. The access policy lists every served method and path (a test holds it to the router), so it
 * is the table read here.
 */
export function methodNotAllowed(routes: readonly AccessRule[] = ACCESS_POLICY) {
  const compiled = routes.map((r) => ({ method: r.method, pattern: compilePath(r.path) }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const methods = new Set(compiled.filter((c) => c.pattern.test(req.path)).map((c) => c.method as string));
    if (methods.size === 0) return next();
    // Express answers HEAD with a GET handler.
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort();
    res.setHeader('Allow', allow.join(', '));
    next(new MethodNotAllowedError(`${req.method} is not served on ${req.path}; allowed: ${allow.join(', ')}`, allow));
  };
}
