import type { Server, ServerResponse } from 'node:http';

/**
 * The requests whose handlers have not answered yet, so that a shutdown closes the store only after
 * them. Waiting for the connections to end is not enough: a client that gives up on a request
 * closes its connection while the handler is still between two store calls, and a store closed
 * then cuts that work in half (seen on MongoDB: a batch's insert failed with "client was closed").
 */
export class RequestsInFlight {
  private open = 0;
  private waiters: Array<() => void> = [];

  /** Counts every request the server takes from now on. */
  track(server: Server): void {
    const tracker = this;
    // One listener function for every response (EventEmitter calls it with the response as `this`):
    // nothing is allocated per request on the busy path.
    function onResponseClose(this: ServerResponse): void {
      // 'close' comes after the reply was written, or earlier when the client went away: then the
      // handler is still running, and it is done when it ends its (unsendable) reply.
      if (this.writableEnded) tracker.answered();
      else tracker.answeredOnEnd(this);
    }
    server.prependListener('request', (_req, res: ServerResponse) => {
      this.open++;
      res.on('close', onResponseClose);
    });
  }

  /** Requests not answered yet. */
  get count(): number {
    return this.open;
  }

  /**
   * Resolves once every request has been answered, or after `timeoutMs` with how many were not
   * (0 when all were).
   */
  settled(timeoutMs: number): Promise<number> {
    if (this.open === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(this.open);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(0);
      };
      this.waiters.push(done);
    });
  }

  private answeredOnEnd(res: ServerResponse): void {
    const end = res.end;
    const tracker = this;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      tracker.answered();
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['end'];
  }

  private answered(): void {
    this.open--;
    if (this.open > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
