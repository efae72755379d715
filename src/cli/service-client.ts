import { CliError, EXIT } from './exit-codes';

export interface ClientOptions {
  url: string;
  apiKey?: string;
  timeoutMs: number;
}

interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  errors?: { pointer: string; message: string }[];
}

/** Statuses that mean "the service said no to this" rather than "the call went wrong". */
const REFUSALS = new Set([409, 412]);

/** A thin JSON client for the service's REST API; every failure becomes a CliError with its exit code. */
export class ServiceClient {
  constructor(private readonly options: ClientOptions) {}

  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let base: URL;
    try {
      base = new URL(this.options.url);
    } catch {
      throw new CliError(`--url is not a URL: "${this.options.url}"`, EXIT.usage);
    }
    const url = new URL(path, base);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`cannot reach ${base.origin}: ${cause}`, EXIT.unreachable);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const p = (parsed ?? {}) as Problem;
      const details = (p.errors ?? []).map((e) => `  ${e.pointer || '(root)'}: ${e.message}`);
      const message = `${method} ${url.pathname} → ${res.status}${p.code ? ` ${p.code}` : ''}: ${p.detail ?? p.title ?? (text.slice(0, 200) || res.statusText)}`;
      throw new CliError(message, REFUSALS.has(res.status) ? EXIT.failed : EXIT.service, details);
    }
    if (parsed === null) throw new CliError(`${method} ${url.pathname}: the reply is not JSON`, EXIT.service);
    return parsed as T;
  }
}
