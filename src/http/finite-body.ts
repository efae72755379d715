import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../errors';
import { nonFiniteNumbers } from '../schemas/finite-numbers';

/**
 * Right after the JSON body parser: a body with a number JSON.parse could only read as ±Infinity
 * is refused on every route, before any route sees it (rules, patches, snapshots, batches, replay,
 * webhooks), naming each such number's pointer.
 */
export function refuseNonFiniteNumbers() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null) return next();
    const problems = nonFiniteNumbers(body);
    if (problems.length === 0) return next();
    next(new ValidationError(`the request body holds a number out of range at ${problems[0]!.pointer || '/'}`, problems));
  };
}
