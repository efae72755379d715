import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { findProjectRoot } from '../src/config/project-root';
import { buildOpenApiDocument } from '../src/openapi/build-document';
import type { DeclaredRoute } from '../src/http/route-declaration';
import type { SchemaRegistry } from '../src/schemas/registry';

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(findProjectRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** GET /api/openapi.json: the contract, built once from the schemas the server validates with. */
export function createOpenApiRouter({ schemas, routes }: { schemas: SchemaRegistry; routes: readonly DeclaredRoute[] }): Router {
  const router = Router();
  const body = JSON.stringify(buildOpenApiDocument({ schemas: schemas.schemas(), version: packageVersion(), routes }));

  handle(router, 'getOpenApiDocument', (_req, res) => {
    res.type('application/json').send(body);
  });

  return router;
}
