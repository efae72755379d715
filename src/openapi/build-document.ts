import type { AnySchema } from 'ajv';
import { ACCESS_POLICY, type Access, type AccessRule, ROLES } from '../http/access-policy';
import { RESPONSE_SCHEMA_IDS } from '../schemas/response-schemas';
import { OPERATIONS, type OperationSpec } from './operations';

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> } & Record<string, unknown>;
};

export interface OpenApiOptions {
  /** Every registered schema (SchemaRegistry.schemas()): requests, replies, the rules file. */
  schemas: AnySchema[];
  version: string;
  policy?: readonly AccessRule[];
  operations?: readonly OperationSpec[];
}

export const SECURITY_SCHEME = 'apiKey';
const PROBLEM = 'application/problem+json';

/** `https://.../schemas/responses/rule-write.json` → `RuleWrite`; the last path segment names it. */
export function componentName(id: string): string {
  const file = id.replace(/#.*$/, '').split('/').pop() ?? id;
  return file
    .replace(/\.json$/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Express `:name` → OpenAPI `{name}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function accessOf(policy: readonly AccessRule[], op: OperationSpec): Access | undefined {
  return policy.find((r) => r.method === op.method.toUpperCase() && r.path === op.path)?.access;
}

const COMMON_ERRORS: Record<string, string> = {
  '400': 'Bad request: malformed JSON, a body or parameter that fails its schema (every problem listed in `errors`).',
  '413': 'The body is larger than `server.bodyLimit` (1 MB by default).',
  '415': 'Unsupported body encoding or charset.',
  '500': 'Unexpected internal error (logged with its stack; the body carries no internals).',
};

/**
 * The OpenAPI 3.1 document, from the operation table, the access policy and the very JSON Schemas
 * the server validates with (each schema keeps its $id, so references between them resolve as in
 * the server's ajv). Built once when the app is created.
 */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const policy = options.policy ?? ACCESS_POLICY;
  const operations = options.operations ?? OPERATIONS;
  const components: Record<string, Record<string, unknown>> = {};
  const nameOfId = new Map<string, string>();
  for (const schema of options.schemas) {
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id !== 'string') continue;
    const name = componentName(id);
    if (components[name]) throw new Error(`two schemas would both be named ${name} in the OpenAPI document`);
    components[name] = schema as Record<string, unknown>;
    nameOfId.set(id, name);
  }
  const refs = (ids: string | string[]): Record<string, unknown> =>
    Array.isArray(ids) ? { oneOf: ids.map((id) => ref(id)) } : ref(ids);
  const ref = (id: string): { $ref: string } => {
    const [base, fragment] = id.split('#') as [string, string | undefined];
    const name = nameOfId.get(base);
    if (!name) throw new Error(`no registered schema with $id ${base}`);
    return { $ref: `#/components/schemas/${name}${fragment ?? ''}` };
  };
  const problemRef = ref(RESPONSE_SCHEMA_IDS.problem);
  const problemResponse = (description: string) => ({ description, content: { [PROBLEM]: { schema: problemRef } } });

  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const access = accessOf(policy, op);
    const responses: Record<string, unknown> = {};
    for (const r of op.responses) {
      const headers: Record<string, unknown> = {};
      for (const h of r.headers ?? []) {
        headers[h] =
          h === 'ETag'
            ? { description: 'The rules file version, quoted; send it back as If-Match.', schema: { type: 'string' } }
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
    if (access && access !== 'public' && access !== 'webhook') {
      security = [{ [SECURITY_SCHEME]: [access] }];
      errors['401'] = 'No API key, or one that is not configured (only when keys are configured).';
      if (access !== ROLES[0]) errors['403'] = `The key's role is below \`${access}\`.`;
      errors['429'] = 'Too many requests (or too many failed authentications) from this client; see Retry-After.';
    }
    for (const status of Object.keys(errors).sort()) responses[status] = problemResponse(errors[status]!);

    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      'x-access': access ?? 'unlisted',
      security,
      ...(op.parameters
        ? {
            parameters: op.parameters.map((p) => ({
              name: p.name,
              in: p.in,
              description: p.description,
              required: p.in === 'path' ? true : (p.required ?? false),
              schema: p.schema,
            })),
          }
        : {}),
      ...(op.body
        ? {
            requestBody: {
              required: op.body.required,
              ...(op.body.description ? { description: op.body.description } : {}),
              content: { 'application/json': { schema: refs(op.body.schema) } },
            },
          }
        : {}),
      responses,
    };
    const path = toOpenApiPath(op.path);
    paths[path] = { ...(paths[path] ?? {}), [op.method]: operation };
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Self-healing rule engine',
      version: options.version,
      description:
        'Evaluates metric snapshots against a JSON rules file and runs gated remediation. Errors are application/problem+json (RFC 9457). ' +
        'Schemas keep the $id the server validates with. `x-access` on each operation is the role it needs (`public`: no key).',
    },
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
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
