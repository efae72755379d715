import { Router } from 'express';
import { QueryReader } from '../src/http/query';
import { handle } from '../src/http/route-table';
import type { SourcePuller } from '../src/sources/source-puller';

/** The pull sources: last run, per-query errors, next run and last snapshots (docs/sources.md). */
export function createSourcesRouter({ sources }: { sources: Pick<SourcePuller, 'overview'> }): Router {
  const router = Router();

  handle(router, 'listSources', (req, res) => {
    new QueryReader(req, []).done();
    res.json(sources.overview());
  });

  return router;
}
