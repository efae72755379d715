import type { OperationName, ROUTES } from '../../routes/route-catalog';
import { type PathParamNames, type QueryNames, type ReplyOf, routeUrl } from '../http/route-declaration';
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

type Route<N extends OperationName> = (typeof ROUTES)[N];

/** What a call to an operation sends: its path parameters (when it has any), declared query parameters, a body. */
export type CallInput<N extends OperationName> = ([PathParamNames<Route<N>['path']>] extends [never]
  ? { params?: undefined }
  : { params: Record<PathParamNames<Route<N>['path']>, string> }) & {
  query?: Partial<Record<QueryNames<Route<N>>, string>>;
  body?: unknown;
};

/** The input may be left out when the operation has no path parameter. */
type CallArgs<N extends OperationName> = [PathParamNames<Route<N>['path']>] extends [never] ? [input?: CallInput<N>] : [input: CallInput<N>];

/** Statuses that mean "the service said no to this" rather than "the call went wrong". */
const REFUSALS = new Set([409, 412]);

/**
 * A thin JSON client for the service's REST API, calling operations by name: method and path come
 * from the route declarations (routes/route-catalog.ts), so the CLI cannot call a path the service
 * does not serve. Every failure becomes a CliError with its exit code.
 */
export class ServiceClient {
  constructor(private readonly options: ClientOptions) {}

  async call<N extends OperationName>(name: N, ...[input]: CallArgs<N>): Promise<ReplyOf<Route<N>>> {
    // Loaded on the first call: the declarations bring the routers (and express) with them, which
    // the commands that never reach the service (rules validate, test, diff) need not load.
    const { ROUTES: routes } = await import('../../routes/route-catalog');
    const route = routes[name];
    const { params, query, body } = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
    const method = route.method;
    let base: URL;
    try {
      base = new URL(this.options.url);
    } catch {
      throw new CliError(`--url is not a URL: "${this.options.url}"`, EXIT.usage);
    }
    const url = new URL(routeUrl(route, params, query), base);
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
    return parsed as ReplyOf<Route<N>>;
  }
}
