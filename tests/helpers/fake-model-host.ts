import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeHostMode = 'healthy' | 'error500' | 'slow' | 'down';
/** Modes a single answer can take (a closed server cannot be "down" for one request only). */
export type FakeAnswerMode = Exclude<FakeHostMode, 'down'>;

export interface FakeModelHostOptions {
  /** How long a 'slow' host takes to answer; pick it longer than the timeout under test. */
  slowMs?: number;
  healthPath?: string;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for an Ollama host. 'down' closes the listening socket
 * (clients get connection refused) and switching back reopens it on the same port, so the URL in
 * the configuration stays valid.
 */
export class FakeModelHost {
  private mode: FakeHostMode = 'healthy';
  private readonly queued: FakeAnswerMode[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: http.Server | null = null;
  private port = 0;
  private readonly slowMs: number;
  private readonly healthPath: string;
  /** Paths of every request received, in order. */
  readonly requests: string[] = [];

  constructor(options: FakeModelHostOptions = {}) {
    this.slowMs = options.slowMs ?? 5000;
    this.healthPath = options.healthPath ?? '/api/tags';
  }

  static async start(options: FakeModelHostOptions = {}): Promise<FakeModelHost> {
    const host = new FakeModelHost(options);
    await host.listen();
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get currentMode(): FakeHostMode {
    return this.mode;
  }

  /** Health probes received (requests to the health path). */
  get healthRequests(): number {
    return this.requests.filter((p) => p === this.healthPath).length;
  }

  async setMode(mode: FakeHostMode): Promise<void> {
    this.queued.length = 0;
    if (mode === 'down' && this.server) await this.shutdown();
    if (mode !== 'down' && !this.server) await this.listen();
    this.mode = mode;
  }

  /** The next requests get these answers in order, then the host returns to its mode. */
  queue(...modes: FakeAnswerMode[]): void {
    this.queued.push(...modes);
  }

  async close(): Promise<void> {
    this.queued.length = 0;
    await this.shutdown();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push(path);
    const mode = this.queued.shift() ?? (this.mode === 'down' ? 'healthy' : this.mode);
    if (path !== this.healthPath) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const answer = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    switch (mode) {
      case 'healthy':
        answer(200, { models: [{ name: 'llama3:8b', size: 4661224676 }] });
        return;
      case 'error500':
        answer(500, { error: 'model runner crashed' });
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          answer(200, { models: [] });
        }, this.slowMs);
        this.timers.add(timer);
        return;
      }
    }
  }

  private listen(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private shutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets from earlier probes would otherwise keep the host reachable.
      server.closeAllConnections();
    });
  }
}
