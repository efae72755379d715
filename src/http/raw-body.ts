import type { IncomingMessage } from 'node:http';

const RAW_BODY = Symbol('rawBody');

type WithRawBody = IncomingMessage & { [RAW_BODY]?: Buffer };

/**
 * express.json's `verify` hook: keeps the bytes exactly as received, because a signature is over
 * the raw body and re-serializing the parsed JSON would not reproduce it.
 */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as WithRawBody)[RAW_BODY] = buf;
}

/** The raw body of a JSON request; empty when none was parsed. */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return (req as WithRawBody)[RAW_BODY] ?? Buffer.alloc(0);
}
