import type { NextFunction, Request, Response } from 'express';
import { MethodNotAllowedError } from '../errors';
import { type AccessRule, compilePath } from './access-policy';

/** The methods served on a path (HEAD with GET), or none for a path no route serves. */
export function servedMethods(routes: readonly AccessRule[]): (path: string) => string[] {
  const compiled = routes.map((r) => ({ method: r.method, pattern: compilePath(r.path), literal: !r.path.includes(':') }));
  return (path) => {
    const matching = compiled.filter((c) => c.pattern.test(path));
    // A path spelled out in the table (/rules/validate) is its own resource, not a value of a
    // parameter beside it (/rules/:name): it advertises only its own methods.
    const literal = matching.filter((c) => c.literal);
    const methods = new Set((literal.length > 0 ? literal : matching).map((c) => c.method as string));
    // Express answers HEAD with a GET handler.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/**
 * Before the routers: OPTIONS on a served path answers 204 with that path's own `Allow` (express's
 * automatic answer would merge the methods of every route matching the path).
 */
export function answerOptions(routes: readonly AccessRule[]) {
  const methodsOf = servedMethods(routes);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'OPTIONS') return next();
    const allow = methodsOf(req.path);
    if (allow.length === 0) return next();
    res.setHeader('Allow', allow.join(', '));
    res.status(204).end();
  };
}

/**
 * Placed after every router: a request that reached it matched no route. If its path is one the
 * service serves (with other methods), the answer is 405 with `Allow` (RFC 9110 §15.5.6) rather than
 * 404. The route declarations list every served method and path (a test holds them to the router).
 */
export function methodNotAllowed(routes: readonly AccessRule[]) {
  const methodsOf = servedMethods(routes);
  return (req: Request, res: Response, next: NextFunction): void => {
    const allow = methodsOf(req.path);
    if (allow.length === 0) return next();
    res.setHeader('Allow', allow.join(', '));
    next(new MethodNotAllowedError(`${req.method} is not served on ${req.path}; allowed: ${allow.join(', ')}`, allow));
  };
}
