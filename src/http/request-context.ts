import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logging } from '../logging/logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Accepts a sane X-Request-Id or makes one, echoes it, and runs the rest of the request inside the
 * logging context so every line logged on its behalf carries it.
 */
export function requestContext(logging: Logging) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const offered = req.get('x-request-id');
    const requestId = offered && REQUEST_ID.test(offered) ? offered : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    logging.context.run({ requestId }, () => {
      res.on('finish', () => {
        const level = res.statusCode >= 500 ? 'error' : 'debug';
        // winston formats a line before its transports filter it: skip the work when it is off.
        if (!logging.logger.isLevelEnabled(level)) return;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logging.logger.log(level, 'request', {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        });
      });
      next();
    });
  };
}
