import type { NextFunction, Request, Response } from 'express';
import { AppError, NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import type { Logger } from '../logging/logger';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps body-parser's own failures onto our error kinds. */
function fromBodyParser(err: BodyParserError): AppError | null {
  switch (err.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(`request body is larger than the limit of ${err.limit ?? '?'} bytes`);
    case 'entity.parse.failed':
      return new ValidationError(`request body is not valid JSON: ${err.message}`, [
        { pointer: '', message: 'malformed JSON' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', err.message);
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'request aborted by the client');
    default:
      return null;
  }
}

/**
 * Other client errors raised by express, its router or body-parser (they carry a 4xx `status`):
 * answered with that status and a fixed message, since their own text can quote internals.
 */
function fromHttpError(err: BodyParserError & { statusCode?: number }): AppError | null {
  const status = err.status ?? err.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (err instanceof URIError) {
    return new AppError(400, 'bad_request', 'the URL is not valid: a percent-encoded part cannot be decoded');
  }
  return new AppError(status, 'bad_request', `the request could not be handled (${err.type ?? 'client error'})`);
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`no route for ${req.method} ${req.path}`));
}

/**
 * The one place errors become responses: application/problem+json with a stable code and every
 * validation problem. Unknown errors are logged with their stack and answered without internals.
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let appError: AppError | null = null;
    if (err instanceof AppError) appError = err;
    else if (err instanceof Error) appError = fromBodyParser(err as BodyParserError) ?? fromHttpError(err as BodyParserError);
    if (!appError) {
      logger.error('unhandled error', { error: err instanceof Error ? err.stack : String(err), path: req.path });
      appError = new AppError(500, 'internal_error', 'internal error');
    }
    if (res.headersSent) return;
    res.status(appError.status).type('application/problem+json').send(JSON.stringify(problemBody(appError, req.originalUrl)));
  };
}

/** An error as an application/problem+json body (also one entry of a batch reply). */
export function problemBody(appError: AppError, instance: string): Record<string, unknown> {
  // Extra members come first so they can never overwrite the standard problem fields.
  const body: Record<string, unknown> = {
    ...appError.extra,
    type: `about:blank#${appError.code}`,
    title: appError.message,
    status: appError.status,
    code: appError.code,
    detail: appError.message,
    instance,
  };
  if (appError.errors.length > 0) body.errors = appError.errors;
  return body;
}
