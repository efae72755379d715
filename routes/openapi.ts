import fs from 'node:fs';
import path from 'node:path';
import { type Response, Router } from 'express';
import { findProjectRoot } from '../src/config/project-root';
import { buildOpenApiDocument } from '../src/openapi/build-document';
import type { DeclaredRoute } from '../src/http/route-declaration';
import type { SchemaRegistry } from '../src/schemas/registry';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { openApiDocumentSchema } from '../src/schemas/openapi-schemas';

export const OPENAPI_ROUTES = declareRoutes({
  getOpenApiDocument: {
    method: 'GET',
    path: '/api/openapi.json',
    access: 'public',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document: the exact contract of the API',
    responses: [{ status: 200, description: 'The document.', schema: openApiDocumentSchema }],
  },
});

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(findProjectRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** GET /api/openapi.json: the contract, built once from the schemas the server validates with. */
export function createOpenApiRouter({ schemas, routes }: { schemas: SchemaRegistry; routes: readonly DeclaredRoute[] }): Router {
  const router = Router();
  const body = JSON.stringify(buildOpenApiDocument({ schemas: schemas.schemas(), version: packageVersion(), routes }));

  mount(router, OPENAPI_ROUTES.getOpenApiDocument, (_req, res: Response) => {
    // Serialized once above rather than by res.json on every request.
    res.type('application/json').send(body);
  });

  return router;
}
