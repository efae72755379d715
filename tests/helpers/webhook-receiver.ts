import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it arrived on the wire. */
  raw: Buffer;
  json: unknown;
  /** The status this receiver answered with. */
  answered: number;
}

/** What the next request gets: a status, or 'hang' (never answers until the server closes). */
export type ReceiverAnswer = number | 'hang';

/**
 * A local HTTP server on 127.0.0.1 standing in for n8n's webhook: it records every request byte for
 * byte and answers with a scripted status (a queue, then the default).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly queue: ReceiverAnswer[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  url = '';
  defaultAnswer: ReceiverAnswer = 200;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let json: unknown = null;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          // recorded raw
        }
        const answer = this.queue.shift() ?? this.defaultAnswer;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, answered: answer === 'hang' ? 0 : answer });
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end(answer < 300 ? '{"received":true}' : '{"error":"receiver says no"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook/self-healing-events`;
    return this;
  }

  /** The next requests get these answers, in order. */
  answer(...answers: ReceiverAnswer[]): void {
    this.queue.push(...answers);
  }

  json(i: number): unknown {
    return this.requests[i]?.json;
  }

  delivered(): ReceivedRequest[] {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

/** waitFor with a positional timeout and description, as callers on other branches still spell it. */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition') {
  return waitFor(check, { timeoutMs, what });
}
