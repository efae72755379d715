import type { IRouter, Request, RequestHandler } from 'express';
import type { RouteParameters } from 'express-serve-static-core';
import type { FromSchema } from '../schemas/schema-type';
import type { Access, HttpMethod } from './access-policy';
import { readDeclaredQuery } from './query';

/**
 * A route, declared once beside its handler (routes/<resource>.ts): everything else — the access
 * policy, the OpenAPI document, the strict query parser, the `Allow` answers of OPTIONS and 405,
 * the ingest rate limit, the CLI's client — is read from these declarations (docs/architecture.md,
 * "How to declare a route").
 */

/** The groups of the API, and what each holds (the OpenAPI document's tags, in this order). */
export const ROUTE_TAGS = {
  health: 'Liveness and readiness.',
  meta: 'This document.',
  'model-failover': 'The model router: which host serves, and the reset to the primary.',
  remediation: 'Snapshots in (ingest, batch), simulation and replay of the rules against them.',
  rules: 'The rules file: rules, validation, history and rollback, manual trigger.',
  actions: 'Remediation actions: the record of each, approval and rejection.',
  automation: 'The automation switch (pause, resume) and statistics of what the rules did.',
  silences: 'Silences (maintenance windows): matched rules that would act are decided `silenced` instead.',
  incidents: 'Incidents: what one cause set off (decisions, actions, alerts) grouped, with a timeline.',
  snapshots: 'Stored snapshots and series of their numeric facts.',
  sources: 'Pull sources: Prometheus queries turned into snapshots.',
  prompts: 'Prompt versions and which one is active (prompt rollback).',
  throttle: 'The request throttle apps poll, and lifting it.',
  alerts: 'Alerts raised by alert_only actions and by the service itself; acknowledgement.',
  notifications: 'Outbound notifications (n8n) and the inbound n8n webhook.',
  prometheus: 'Prometheus exposition and the Alertmanager webhook.',
  console: 'The browser console: sign-in sessions and the server-sent event stream.',
} as const;

export type RouteTag = keyof typeof ROUTE_TAGS;

/** A registered JSON Schema (`as const`, with its $id), or an $id, optionally with a #/pointer. */
export type SchemaRef = { readonly $id: string } | string;

export interface ParameterSpec {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly description: string;
  readonly required?: boolean;
  /**
   * The query's strict reader checks exactly this schema (src/http/query.ts): enum, pattern,
   * min/maxLength, format (date-time, uuid, cursor), integer minimum/maximum, default; a comma list is
   * `type: 'array'` of an enum with `style: 'form', explode: false`.
   */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly style?: 'form';
  readonly explode?: boolean;
}

export type ReplyHeader = 'ETag' | 'Cache-Control' | 'Idempotent-Replayed';

export interface ResponseSpec {
  readonly status: number;
  readonly description: string;
  /** The reply body's schema; several: any one of them (oneOf). None for a text body. */
  readonly schema: SchemaRef | readonly SchemaRef[];
  /**
   * Default application/json; `text/plain` for a text body with no schema (GET /metrics);
   * `text/event-stream` for the event stream, described by its schema.
   */
  readonly contentType?: 'application/json' | 'text/plain' | 'text/event-stream';
  readonly headers?: readonly ReplyHeader[];
}

export interface BodySpec {
  readonly schema: SchemaRef | readonly SchemaRef[];
  readonly required: boolean;
  readonly description?: string;
  /** The route also takes application/x-ndjson, one item of this schema per line. */
  readonly ndjsonItem?: SchemaRef;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Express-style path; `:name` segments match one path segment. */
  readonly path: string;
  readonly access: Access;
  readonly tag: RouteTag;
  readonly summary: string;
  readonly description?: string;
  /** In the order the document lists them; the query ones are all the route accepts. */
  readonly parameters?: readonly ParameterSpec[];
  readonly body?: BodySpec;
  readonly responses: readonly ResponseSpec[];
  /**
   * Error statuses this route answers itself (beyond those every route can give: 400 for a
   * malformed body or parameter, 413, 415, 500, and the auth ones its access implies).
   */
  readonly errors?: readonly { readonly status: number; readonly description: string }[];
  /** Snapshots come in here: the per-key ingest rate limit applies. */
  readonly ingestLimited?: true;
}

/** A declaration with its name: the operationId, and the name clients call it by. */
export type DeclaredRoute = RouteSpec & { readonly operationId: string };

/**
 * Names each declaration by its key. `const` keeps the literal types the handler's typing is read
 * from: the path (its `:params`), the query names, the reply schemas.
 */
export function declareRoutes<const T extends Record<string, RouteSpec>>(routes: T): { readonly [K in keyof T & string]: T[K] & { readonly operationId: K } } {
  return Object.fromEntries(Object.entries(routes).map(([operationId, spec]) => [operationId, { ...spec, operationId }])) as never;
}

type Merged<T> = T extends readonly [infer Head, ...infer Rest] ? Head & Merged<Rest> : unknown;

/** The resources' tables as one map by name; two declarations of one name are refused at start. */
export function catalogOf<const T extends readonly Readonly<Record<string, DeclaredRoute>>[]>(...tables: T): Merged<T> {
  const catalog: Record<string, DeclaredRoute> = {};
  for (const table of tables) {
    for (const [name, route] of Object.entries(table)) {
      if (name in catalog) throw new Error(`two routes are declared as ${name}: an operation name must be unique`);
      catalog[name] = route;
    }
  }
  return catalog as Merged<T>;
}

type SchemaType<S> = S extends { readonly $id: string } ? FromSchema<S> : unknown;
type SuccessOf<R> = R extends { readonly status: infer N extends number; readonly schema: infer S }
  ? `${N}` extends `2${string}`
    ? S extends readonly (infer E)[]
      ? SchemaType<E>
      : SchemaType<S>
    : never
  : never;

/** What the route's `res.json` takes: a body its declared success replies' schemas accept. */
export type ReplyOf<D extends RouteSpec> = [SuccessOf<D['responses'][number]>] extends [never] ? unknown : SuccessOf<D['responses'][number]>;

/** The query parameter names a route declares. */
export type QueryNames<D extends RouteSpec> = D['parameters'] extends readonly (infer P)[]
  ? P extends { readonly in: 'query'; readonly name: infer N extends string }
    ? N
    : never
  : never;

/** The `:name` parameters of an express-style path. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export type RouteHandler<D extends RouteSpec> = RequestHandler<RouteParameters<D['path']>, ReplyOf<D>>;

const MOUNT = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const;

/** Mounts a declared route: its own middleware, then the handler, at the declared method and path. */
export function mount<D extends DeclaredRoute>(router: IRouter, route: D, ...handlers: RouteHandler<D>[]): void {
  router[MOUNT[route.method]](route.path, ...(handlers as unknown as RequestHandler[]));
}

export function queryNamesOf(route: RouteSpec): string[] {
  return declaredQueryOf(route).map((p) => p.name);
}

type QueryParams<D extends RouteSpec> = Extract<NonNullable<D['parameters']>[number], { readonly in: 'query' }>;

/** What the reader makes of a value its schema accepts. */
type QueryValue<S> = S extends { readonly enum: readonly (infer E)[] }
  ? [E] extends ['true' | 'false']
    ? ['true' | 'false'] extends [E]
      ? boolean
      : E
    : E
  : S extends { readonly type: 'array'; readonly items: { readonly enum: readonly (infer E)[] } }
    ? E[]
    : S extends { readonly format: 'date-time' }
      ? Date
      : S extends { readonly type: 'integer' }
        ? number
        : string;

/** Absent unless required or defaulted. */
type MaybeAbsent<P> = P extends { readonly required: true } ? never : P extends { readonly schema: { readonly default: unknown } } ? never : undefined;

/** A route's query as its handler gets it: each declared name, typed from its schema. */
export type QueryOf<D extends RouteSpec> = { readonly [P in QueryParams<D> as P['name']]: QueryValue<P['schema']> | MaybeAbsent<P> };

function queryParametersOf(route: RouteSpec): ParameterSpec[] {
  return (route.parameters ?? []).filter((p) => p.in === 'query');
}

const queryParameters = new WeakMap<RouteSpec, ParameterSpec[]>();

/** The declared query parameters, one array per route (the reader compiles each once). */
export function declaredQueryOf(route: RouteSpec): readonly ParameterSpec[] {
  let parameters = queryParameters.get(route);
  if (!parameters) {
    parameters = queryParametersOf(route);
    queryParameters.set(route, parameters);
  }
  return parameters;
}

/**
 * A route's query, read strictly from its declaration: a name it does not list is refused, each
 * value is checked against its declared schema (the document's), defaults are filled in, and every
 * problem is answered with one 400. The handler gets the values by name, typed from the schemas.
 */
export function readQuery<D extends RouteSpec>(route: D, req: Request): QueryOf<D> {
  return readDeclaredQuery(declaredQueryOf(route), req.query) as QueryOf<D>;
}

/**
 * The URL path and query of a call to a route: each `:name` filled in (encoded), the query refused
 * when it names a parameter the route does not declare. What a client sends is then what the
 * route reads.
 */
export function routeUrl(route: DeclaredRoute, params: Readonly<Record<string, string>> = {}, query: Readonly<Record<string, string | undefined>> = {}): string {
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route.operationId}: the path parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  const declared = queryNamesOf(route);
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (!declared.includes(name)) throw new Error(`${route.operationId} takes no query parameter ${name} (it takes: ${declared.join(', ') || 'none'})`);
    if (value !== undefined) search.set(name, value);
  }
  return search.size > 0 ? `${path}?${search}` : path;
}

/** The $id a schema reference names. */
export function schemaId(ref: SchemaRef): string {
  return typeof ref === 'string' ? ref : ref.$id;
}
