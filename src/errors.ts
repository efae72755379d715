import type { ProblemCode } from './domain/problem-codes';

/**
 * One error hierarchy for the whole service: each kind carries its HTTP status and a stable code,
 * and the express error handler turns any of them into application/problem+json.
 */
export interface ProblemDetail {
  /** JSON pointer into the offending document (request body, rules file, config). */
  pointer: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly errors: ProblemDetail[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, errors: ProblemDetail[] = []) {
    super(400, 'validation_failed', message, errors);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** A path the service serves, asked with a method it does not serve there; `allow` lists those it does. */
export class MethodNotAllowedError extends AppError {
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super(405, 'method_not_allowed', message, [], { allow });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}, code: ProblemCode = 'conflict') {
    super(409, code, message, [], extra);
  }
}

/** The client asked for a representation the route does not give (e.g. the event stream without Accept: text/event-stream). */
export class NotAcceptableError extends AppError {
  constructor(message: string) {
    super(406, 'not_acceptable', message);
  }
}

export class PreconditionFailedError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(412, 'precondition_failed', message, [], extra);
  }
}

/** A write that must name the version it read (If-Match) came without it. */
export class PreconditionRequiredError extends AppError {
  constructor(message: string) {
    super(428, 'precondition_required', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(503, 'service_unavailable', message);
  }
}

/** No API key, or one that is not configured. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** A known key whose role is not enough, or a rule such as four eyes that forbids this key. */
export class ForbiddenError extends AppError {
  constructor(message: string, extra: Record<string, unknown> = {}, code: ProblemCode = 'forbidden') {
    super(403, code, message, [], extra);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(429, 'too_many_requests', message, [], { retryAfterSeconds });
  }
}

/** A bad configuration value: the service refuses to start and names the key. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid configuration: ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}
