import { Router } from 'express';
import { handle } from '../src/http/route-table';
import { parseBody } from '../src/http/validate';
import type { ReplayRequest, ReplayService } from '../src/replay/replay-service';
import { REPLAY_SCHEMA_IDS } from '../src/schemas/replay-schemas';
import type { SchemaRegistry } from '../src/schemas/registry';
import { parseSnapshot } from '../src/schemas/snapshot-input';

export interface ReplayRouterDeps {
  replay: Pick<ReplayService, 'replay'>;
  schemas: SchemaRegistry;
}

export function createReplayRouter({ replay, schemas }: ReplayRouterDeps): Router {
  const router = Router();

  handle(router, 'replay', async (req, res) => {
    const body = parseBody<ReplayRequest>(schemas, REPLAY_SCHEMA_IDS.replayRequest, req.body ?? {}, 'replay request');
    // The limits a schema cannot say (metrics depth, key length), snapshot by snapshot.
    body.snapshots?.forEach((s, i) => parseSnapshot(schemas, s, `/snapshots/${i}`));
    res.json(await replay.replay(body));
  });

  return router;
}
