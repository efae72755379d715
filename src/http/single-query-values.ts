import type { NextFunction, Request, Response } from 'express';
import { type ProblemDetail, ValidationError } from '../errors';

/**
 * Every query parameter of this API is a scalar (lists are comma-separated in one value), so a name
 * given twice (`?wait=true&wait=false`) is ambiguous: refused on every route with one 400 naming each
 * such parameter, before a handler could read one of the values and ignore the other.
 */
export function singleQueryValues() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const problems: ProblemDetail[] = Object.entries(req.query)
      .filter(([, value]) => typeof value !== 'string')
      .map(([name]) => ({ pointer: `/query/${name}`, message: 'must be given once, as a plain value' }));
    if (problems.length === 0) return next();
    next(new ValidationError(`query parameters given more than once: ${problems.map((p) => p.pointer.slice('/query/'.length)).join(', ')}`, problems));
  };
}
