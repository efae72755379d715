import { Router } from 'express';
import type { SourcePuller } from '../src/sources/source-puller';
import { declareRoutes, mount } from '../src/http/route-declaration';
import { sourcesOverviewSchema } from '../src/schemas/source-schemas';

export const SOURCE_ROUTES = declareRoutes({
  listSources: {
    method: 'GET',
    path: '/api/self-healing/sources',
    access: 'viewer',
    tag: 'sources',
    summary: 'Pull sources (Prometheus queries): last run, duration, per-query errors, next run, last snapshots',
    responses: [{ status: 200, description: 'The sources as this instance sees them.', schema: sourcesOverviewSchema }],
  },
});

/** The pull sources: last run, per-query errors, next run and last snapshots (docs/sources.md). */
export function createSourcesRouter({ sources }: { sources: Pick<SourcePuller, 'overview'> }): Router {
  const router = Router();

  mount(router, SOURCE_ROUTES.listSources, (req, res) => {
    res.json(sources.overview());
  });

  return router;
}
