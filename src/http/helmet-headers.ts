import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers, worked out once by helmet itself and set on every answer by one middleware.
 *
 * With its default configuration (no function directives) helmet sets the same headers with
 * the same values on every response, through a dozen middlewares a request; running them once at
 * start-up and replaying what they did costs one step instead (measured: helmet was about 5 % of the
 * CPU of a 1,000-rule ingest). helmet stays the one that decides the headers and their values.
 * Throws at start-up if helmet does not finish at once (a later helmet whose defaults depend on the
 * request), so such a change cannot slip through as missing headers.
 */
export function helmetHeaders(): RequestHandler {
  const set: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  let finished = false;
  let failure: unknown;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    finished = true;
    failure = err;
  });
  if (!finished || failure !== undefined) throw new Error(`helmet's headers cannot be worked out once: ${failure === undefined ? 'it did not finish at once' : String(failure)}`);
  return (_req, res, next) => {
    for (let i = 0; i < set.length; i++) res.setHeader(set[i]![0], set[i]![1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]!);
    next();
  };
}
