import type { RequestHandler } from 'express';
import { PayloadTooLargeError } from '../errors';

/**
 * Reads to its end a request body no parser took (a GET with a body, a type other than JSON) before
 * the route answers. Node closes a `Connection: close` socket once the reply is written, and a reply
 * written while the client was still sending was cut off mid-way (found by the fuzz test). Past
 * `maxBytes` the rest is not waited for: 413, as for a JSON body over the limit.
 */
export function drainUnreadBody(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (req.readableEnded) {
      next();
      return;
    }
    let received = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.removeListener('data', count);
      next(err);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(new PayloadTooLargeError(`the request body is larger than ${maxBytes} bytes`));
    };
    req.on('data', count);
    req.once('end', () => finish());
    req.once('error', (err) => finish(err));
  };
}

/** `server.bodyLimit` ("512kb", "1mb", "100b") in bytes. */
export function bodyLimitBytes(limit: string): number {
  const match = /^([0-9]+)(b|kb|mb)$/.exec(limit);
  if (!match) throw new Error(`not a body limit: ${limit}`);
  return Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2] as 'b' | 'kb' | 'mb'];
}
