import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** How the fake answers one query: a result (`data`), an error envelope, a raw body, or silence. */
export type FakeAnswer =
  | { data: unknown }
  | { error: string; errorType?: string; status?: number }
  | { raw: string; status: number }
  | { hang: true };

export interface FakeRequest {
  query: string;
  time: string | null;
  headers: http.IncomingHttpHeaders;
}

/**
 * A real HTTP server on 127.0.0.1 answering Prometheus' `/api/v1/query` (GET or form POST) from a
 * table of query → answer the test sets. An unknown query gets an empty vector.
 */
export class FakePrometheus {
  readonly requests: FakeRequest[] = [];
  private readonly answers = new Map<string, FakeAnswer>();
  private readonly server: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(tls?: { key: Buffer; cert: Buffer }) {
    const handler: http.RequestListener = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => this.answer(req, res, body));
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.protocol = tls ? 'https' : 'http';
  }

  private readonly protocol: 'http' | 'https';

  /** On a free port, or on `port` (to come back where a stopped one was); over TLS with a key and certificate. */
  static async start(port = 0, tls?: { key: Buffer; cert: Buffer }): Promise<FakePrometheus> {
    const fake = new FakePrometheus(tls);
    await new Promise<void>((resolve) => fake.server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `${this.protocol}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  set(query: string, answer: FakeAnswer): void {
    this.answers.set(query, answer);
  }

  /** A vector of `[labels, value]` pairs, values written as Prometheus writes them ("NaN", "+Inf"). */
  static vector(...series: Array<[Record<string, string>, string]>): { data: unknown } {
    return { data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [1_700_000_000, v] })) } };
  }

  static scalar(value: string): { data: unknown } {
    return { data: { resultType: 'scalar', result: [1_700_000_000, value] } };
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404).end('not found');
      return;
    }
    const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const query = params.get('query') ?? '';
    this.requests.push({ query, time: params.get('time'), headers: req.headers });
    const answer = this.answers.get(query) ?? { data: { resultType: 'vector', result: [] } };
    if ('hang' in answer) {
      this.hanging.add(res);
      return;
    }
    if ('raw' in answer) {
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.raw);
      return;
    }
    if ('error' in answer) {
      res
        .writeHead(answer.status ?? 400, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ status: 'error', errorType: answer.errorType ?? 'bad_data', error: answer.error }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: answer.data }));
  }
}
