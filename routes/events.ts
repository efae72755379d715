import { type Request, type Response, Router } from 'express';
import { NotAcceptableError, ValidationError } from '../src/errors';
import type { AppConfig } from '../src/config/schema';
import type { Logger } from '../src/logging/logger';
import type { EventJournal } from '../src/notifications/event-journal';
import { declareRoutes, mount, readQuery } from '../src/http/route-declaration';
import { eventStreamSchema } from '../src/schemas/console-schemas';

/** An event's number, as the header and the query give it. */
const EVENT_NUMBER = '^\\d{1,15}$';

export const EVENT_ROUTES = declareRoutes({
  streamEvents: {
    method: 'GET',
    path: '/api/events',
    access: 'viewer',
    tag: 'console',
    summary: 'Server-sent events: the events the n8n outbox carries, numbered, resumable',
    description:
      'Needs `Accept: text/event-stream`. Starts after `Last-Event-ID` (or `lastEventId`), else from now. ' +
      'Events of every instance sharing the store appear in one numbered order.',
    parameters: [
      { name: 'Last-Event-ID', in: 'header', description: 'Resume after this event number (browsers send it on reconnect).', schema: { type: 'string', pattern: EVENT_NUMBER } },
      { name: 'lastEventId', in: 'query', description: 'The same, for clients that cannot set headers.', schema: { type: 'string', pattern: EVENT_NUMBER } },
      { name: 'follow', in: 'query', description: '`false`: send the events there are and close.', schema: { enum: ['true', 'false'], default: 'true' } },
    ],
    responses: [{ status: 200, description: 'The stream.', schema: eventStreamSchema, contentType: 'text/event-stream' }],
    errors: [{ status: 406, description: 'The request did not accept text/event-stream.' }],
  },
});

export interface EventsRouterDeps {
  events: Pick<EventJournal, 'after' | 'last' | 'onWritten' | 'closing'>;
  config: Pick<AppConfig, 'console'>;
  logger: Logger;
}

const BATCH = 100;

/** Where to start: after Last-Event-ID (what browsers send on reconnect), after ?lastEventId, or from now. */
function startAfter(req: Request, query: string | undefined): number | null {
  const header = req.get('last-event-id');
  if (header !== undefined && header.trim() !== '') {
    if (!new RegExp(EVENT_NUMBER).test(header.trim())) {
      throw new ValidationError('Last-Event-ID must be an event number', [{ pointer: '/headers/last-event-id', message: 'must be a whole number' }]);
    }
    return Number(header.trim());
  }
  return query === undefined ? null : Number(query);
}

/**
 * Server-sent events: the journal of the events the n8n outbox carries, numbered. Streams wake when
 * this instance journals an event and poll the store for other instances' events. `follow=false`
 * sends what is there and closes (for clients that poll).
 */
export function createEventsRouter({ events, config, logger }: EventsRouterDeps): Router {
  const router = Router();
  const { pollIntervalMs, heartbeatMs } = config.console.events;

  mount(router, EVENT_ROUTES.streamEvents, async (req: Request, res: Response) => {
    const { follow, lastEventId: fromQuery } = readQuery(EVENT_ROUTES.streamEvents, req);
    if (!/text\/event-stream/i.test(req.get('accept') ?? '')) {
      throw new NotAcceptableError('GET /api/events is a server-sent event stream: send "Accept: text/event-stream"');
    }
    let cursor = startAfter(req, fromQuery) ?? (await events.last());

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // An id with no data sets the browser's Last-Event-ID without dispatching an event.
    res.write(`retry: 2000\nid: ${cursor}\n\n`);

    let closed = false;
    let wake: (() => void) | null = null;
    const stopListening = events.onWritten(() => wake?.());
    req.on('close', () => {
      closed = true;
      wake?.();
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    try {
      while (!closed && !events.closing) {
        const batch = await events.after(cursor, BATCH);
        for (const e of batch) {
          res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${e.payload}\n\n`);
          cursor = e.seq;
        }
        if (!follow) break;
        if (batch.length === BATCH) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } catch (err) {
      // The client reconnects with Last-Event-ID and misses nothing.
      logger.warn('event stream ended by an error', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearInterval(heartbeat);
      stopListening();
      res.end();
    }
  });

  return router;
}
