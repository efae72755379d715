import { ValidationError } from '../errors';
import type { SchemaRegistry } from '../schemas/registry';

/** Validates a request body against a registered schema; a 400 lists every problem. */
export function parseBody<T>(schemas: SchemaRegistry, schemaId: string, body: unknown, what = 'request body'): T {
  if (body === undefined) {
    throw new ValidationError(`${what} is required (send JSON with Content-Type: application/json)`, [
      { pointer: '', message: 'missing body' },
    ]);
  }
  const result = schemas.validate<T>(schemaId, body);
  if (!result.ok) throw new ValidationError(`${what} is invalid`, result.errors);
  return result.value;
}
