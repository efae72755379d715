import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import type { Response } from 'supertest';
import type { OpenApiDocument } from '../../src/openapi/build-document';

export interface RouteEntry {
  method: string;
  /** OpenAPI form: `{name}`. */
  path: string;
}

interface StackLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/**
 * Every method+path the express app registers, by walking its router stack (express 5: app.router),
 * into nested routers too. The routers are mounted with app.use(router) at the root, so a nested
 * route's path is its full path.
 */
export function listExpressRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: StackLayer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push({ method, path: p.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return out;
}

export function listDocumentedRoutes(doc: OpenApiDocument): RouteEntry[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
}

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string; oneOf?: Array<{ $ref: string }> } }>; headers?: Record<string, unknown> }>;
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
};

const DOCUMENT_ID = 'https://self-healing.test/openapi.json';

/** Checks real replies against the document: status documented, content type and body as documented. */
export class ResponseChecker {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    // The whole document as one schema resource: its components refer to each other by pointers
    // into the document (#/components/schemas/...), exactly as an outside tool resolves them.
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: doc.components });
  }

  /** The operation serving a concrete method + path (templates matched segment by segment). */
  operationFor(method: string, path: string): { template: string; op: Operation } | null {
    // As express routes: case-insensitive, one optional trailing slash, a parameter is a non-empty segment.
    const segments = path.split('?')[0]!.replace(/(.)\/$/, '$1').split('/');
    const candidates = Object.keys(this.doc.paths).filter((template) => {
      const t = template.split('/');
      return (
        t.length === segments.length &&
        t.every((s, i) => (/^\{.+\}$/.test(s) ? segments[i] !== '' : s.toLowerCase() === segments[i]!.toLowerCase()))
      );
    });
    // The most literal template wins, as express matches /rules/validate before /rules/{name}.
    const params = (t: string) => t.split('{').length - 1;
    candidates.sort((a, b) => params(a) - params(b));
    for (const template of candidates) {
      const op = this.doc.paths[template]![method.toLowerCase()] as Operation | undefined;
      if (op) return { template, op };
    }
    return null;
  }

  /** The ajv validator for a `#/components/schemas/Name[/pointer]` reference. */
  validatorFor(ref: string): ValidateFunction {
    let fn = this.validators.get(ref);
    if (fn) return fn;
    if (!/^#\/components\/schemas\/[^/]+/.test(ref)) throw new Error(`unexpected $ref ${ref}`);
    fn = this.ajv.getSchema(`${DOCUMENT_ID}${ref}`);
    if (!fn) throw new Error(`cannot compile ${ref}`);
    this.validators.set(ref, fn);
    return fn;
  }

  /** Every way the reply departs from the document; empty when it conforms. */
  check(method: string, path: string, res: Pick<Response, 'status' | 'type' | 'body' | 'text'>): string[] {
    const found = this.operationFor(method, path);
    if (!found) return [`${method} ${path} is not documented`];
    const where = `${method} ${path} → ${res.status}`;
    const response = found.op.responses[String(res.status)];
    if (!response) return [`${where}: status not documented for ${found.template}`];
    const content = response.content ?? {};
    const type = res.type;
    const media = content[type];
    if (!media) return [`${where}: content type ${type} not documented (documented: ${Object.keys(content).join(', ')})`];
    // A text body (the event stream) is checked as the string it is.
    let body: unknown = type.startsWith('text/') ? res.text : res.body;
    if (type.endsWith('json') && (body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0 && res.text && res.text !== '{}'))) {
      body = JSON.parse(res.text);
    }
    const schema = media.schema as { $ref?: string; oneOf?: Array<{ $ref: string }> };
    // A text body (GET /metrics) is documented as a plain string; its format has its own tests.
    if (!schema.$ref && !schema.oneOf) return typeof res.text === 'string' && res.text.length > 0 ? [] : [`${where}: empty text body`];
    const validators = (schema.oneOf ?? [schema as { $ref: string }]).map((s) => this.validatorFor(s.$ref));
    if (validators.some((v) => v(body))) return [];
    return validators
      .flatMap((v) => v.errors ?? []).slice(0, 8).map((e) => `${where}: body${e.instancePath} ${e.message} (${e.schemaPath})`);
  }
}
