import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../src/errors';
import { compilePath } from '../src/http/access-policy';
import { OPERATIONS, type OperationSpec } from '../src/openapi/operations';

/**
 * An operation whose OpenAPI description lists no query parameter refuses any with a 400 naming
 * it, before its route runs, from the very table the document is built from (so the two cannot
 * drift apart). Operations with parameters read them strictly in the route (QueryReader).
 */
export function refuseUndocumentedQuery(operations: readonly OperationSpec[] = OPERATIONS) {
  const compiled = operations.map((op) => ({
    method: op.method.toUpperCase(),
    pattern: compilePath(op.path),
    literal: !op.path.includes(':'),
    allowed: new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)),
  }));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const names = Object.keys(req.query);
    if (names.length === 0) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = compiled.filter((c) => c.method === method && c.pattern.test(req.path));
    // /rules/validate is its own operation, not /rules/{name} with the name "validate".
    const op = matching.find((c) => c.literal) ?? matching[0];
    if (!op) return next();
    // An operation with parameters of its own reads them with QueryReader, which reports unknown
    // names together with bad values of known ones (one 400 listing every problem).
    if (op.allowed.size > 0) return next();
    const unknown = names.filter((n) => !op.allowed.has(n));
    next(new ValidationError('query parameters are invalid', unknown.map((n) => ({ pointer: `/query/${n}`, message: 'is not a known parameter' }))));
  };
}
