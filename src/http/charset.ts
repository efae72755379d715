import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * Bodies are UTF-8 only. The body parsers would decode `charset=utf-16` (or latin1 for NDJSON);
 * refused here, before them, with the 415 the documents promise for any other charset.
 */
export function refuseForeignCharset() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const charset = CHARSET.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
    next(new AppError(415, 'unsupported_media_type', `unsupported charset "${charset}": bodies are UTF-8 only`));
  };
}
