import type { AnySchema } from 'ajv';
import { ROLES } from '../http/access-policy';
import { type DeclaredRoute, ROUTE_TAGS, type SchemaRef, schemaId } from '../http/route-declaration';
import { RESPONSE_SCHEMA_IDS } from '../schemas/response-schemas';
import { standaloneComponents } from './standalone-schemas';

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> } & Record<string, unknown>;
};

export interface OpenApiOptions {
  /** Every registered schema (SchemaRegistry.schemas()): requests, replies, the rules file. */
  schemas: AnySchema[];
  version: string;
  /** Every declared route, in the order the document lists them. */
  routes: readonly DeclaredRoute[];
}

export const SECURITY_SCHEME = 'apiKey';
const PROBLEM = 'application/problem+json';

/** Express `:name` → OpenAPI `{name}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Drops components nothing in the document refers to (schemas registered for other uses, such as the CLI's). */
function usedComponents(paths: unknown, components: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const used = new Set<string>();
  const pending: unknown[] = [paths];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
          const name = decodeURIComponent(value.slice('#/components/schemas/'.length).split('/')[0]!);
          if (!used.has(name) && components[name]) {
            used.add(name);
            pending.push(components[name]);
          }
        } else pending.push(value);
      }
    }
  }
  return Object.fromEntries(Object.entries(components).filter(([name]) => used.has(name)));
}

const COMMON_ERRORS: Record<string, string> = {
  '400': 'Bad request: malformed JSON, a body or parameter that fails its schema (every problem listed in `errors`).',
  '413': 'The body is larger than `server.bodyLimit` (1 MB by default).',
  '415': 'Unsupported body encoding or charset.',
  '421': '`misdirected_request`: the `Host` is not one this service answers to (a loopback name, `server.host`, `server.allowedHosts`); refused in every mode, before any key is looked at.',
  '500': 'Unexpected internal error (logged with its stack; the body carries no internals).',
};

/**
 * The OpenAPI 3.1 document, from the route declarations and the very JSON Schemas
 * the server validates with (made standalone: see standalone-schemas.ts). Built once when the app
 * is created.
 */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const operations = options.routes;
  // Published without $id-relative references, so tools that resolve against the document work.
  const standalone = standaloneComponents(options.schemas);
  const components = standalone.schemas;
  const refs = (schemas: SchemaRef | readonly SchemaRef[]): Record<string, unknown> =>
    Array.isArray(schemas) ? { oneOf: schemas.map((s: SchemaRef) => ref(schemaId(s))) } : ref(schemaId(schemas as SchemaRef));
  const ref = (id: string): { $ref: string } => ({ $ref: standalone.refFor(id) });
  const problemRef = ref(RESPONSE_SCHEMA_IDS.problem);
  const problemResponse = (description: string) => ({ description, content: { [PROBLEM]: { schema: problemRef } } });

  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const access = op.access;
    const responses: Record<string, unknown> = {};
    for (const r of op.responses) {
      const headers: Record<string, unknown> = {};
      for (const h of r.headers ?? []) {
        headers[h] =
          h === 'ETag'
            ? { description: 'The rules file version, quoted; send it back as If-Match.', schema: { type: 'string' } }
            : h === 'Idempotent-Replayed'
              ? { description: '`true` when this is the stored reply to an earlier request with the same Idempotency-Key.', schema: { enum: ['true'] } }
              : { description: '`no-store`: clients route by this answer.', schema: { type: 'string' } };
      }
      responses[String(r.status)] = {
        description: r.description,
        ...(r.headers ? { headers } : {}),
        content:
          r.contentType === 'text/plain'
            ? { 'text/plain': { schema: { type: 'string' } } }
            : { [r.contentType ?? 'application/json']: { schema: refs(r.schema) } },
      };
    }
    const errors: Record<string, string> = { ...COMMON_ERRORS };
    for (const e of op.errors ?? []) errors[String(e.status)] = e.description;
    let security: unknown[] = [];
    if (access !== 'public' && access !== 'webhook') {
      security = [{ [SECURITY_SCHEME]: [access] }];
      errors['401'] = 'No API key, or one that is not configured (only when keys are configured).';
      if (access !== ROLES[0]) errors['403'] = `The key's role is below \`${access}\`.`;
      errors['429'] = 'Too many requests (or too many failed authentications) from this client; see Retry-After.';
    }
    if (op.method !== 'GET') {
      const crossSite =
        '`cross_origin`: a write another site\'s page could have sent (an `Origin` not allowed, `Sec-Fetch-Site: cross-site|same-site` without one, or a `text/plain`, form or multipart `Content-Type`); refused in every mode, nothing changed.';
      errors['403'] = errors['403'] ? `${errors['403']} Or ${crossSite}` : crossSite;
    }
    for (const status of Object.keys(errors).sort()) responses[status] = problemResponse(errors[status]!);

    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      'x-access': access,
      security,
      ...(op.parameters
        ? {
            parameters: op.parameters.map((p) => ({
              name: p.name,
              in: p.in,
              description: p.description,
              required: p.in === 'path' ? true : (p.required ?? false),
              ...(p.style ? { style: p.style, explode: p.explode ?? true } : {}),
              schema: p.schema,
            })),
          }
        : {}),
      ...(op.body
        ? {
            requestBody: {
              required: op.body.required,
              ...(op.body.description ? { description: op.body.description } : {}),
              content: {
                'application/json': { schema: refs(op.body.schema) },
                ...(op.body.ndjsonItem
                  ? { 'application/x-ndjson': { schema: refs(op.body.ndjsonItem) } }
                  : {}),
              },
            },
          }
        : {}),
      responses,
    };
    const path = toOpenApiPath(op.path);
    paths[path] = { ...(paths[path] ?? {}), [op.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Self-healing rule engine',
      version: options.version,
      // package.json's license: UNLICENSED, which npm defines as granting no rights to use (the URL says so).
      license: { name: 'UNLICENSED', url: 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license' },
      description:
        'Evaluates metric snapshots against a JSON rules file and runs gated remediation. Errors are application/problem+json (RFC 9457). ' +
        'A path listed here asked with a method not listed for it answers 405 with an `Allow` header; a query parameter given twice answers 400. ' +
        'Every `$ref` points into this document; `x-schema-id` on a component is the $id the server validates with. `x-access` on each operation is the role it needs (`public`: no key).',
    },
    // Relative: the service itself, at whatever address the document was fetched from.
    servers: [{ url: '/', description: 'This service (the address this document was fetched from).' }],
    tags: Object.entries(ROUTE_TAGS)
      .filter(([name]) => operations.some((o) => o.tag === name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: usedComponents(paths, components),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key sent as `Authorization: Bearer <key>`. Roles: viewer < operator < approver < admin; each includes the ones before it. ' +
            'With no keys configured the service runs open, and only on a loopback address.',
        },
      },
    },
  };
}
