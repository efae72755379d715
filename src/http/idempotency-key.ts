import type { Request } from 'express';
import { ValidationError } from '../errors';

/** Visible ASCII, 1 to 255 characters: a UUID, a hash, or the sender's own request id. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key header, or null without one; a malformed one is a 400. */
export function idempotencyKeyOf(req: Request): string | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return null;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!KEY.test(value)) {
    throw new ValidationError('Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces), e.g. a UUID', [
      { pointer: '/headers/idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return value;
}
