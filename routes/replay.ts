import { Router } from 'express';
import { parseBody } from '../src/http/validate';
import type { ReplayRequest, ReplayService } from '../src/replay/replay-service';
import { REPLAY_SCHEMA_IDS, replayRequestSchema, replayResultSchema } from '../src/schemas/replay-schemas';
import type { SchemaRegistry } from '../src/schemas/registry';
import { parseSnapshot } from '../src/schemas/snapshot-input';
import { declareRoutes, mount } from '../src/http/route-declaration';

export const REPLAY_ROUTES = declareRoutes({
  replay: {
    method: 'POST',
    path: '/api/self-healing/replay',
    access: 'operator',
    tag: 'remediation',
    summary: 'Replay stored (or given) snapshots through evaluate and decide on a virtual clock; changes nothing',
    description:
      'Snapshots in time order (stored ones by when they were received, or by their own `timestamp` with `clock: "timestamp"`; given ones by `timestamp`), from no cooldowns, no open approvals, no budget used and no verification window open, never paused, through the same evaluate and decide as ingest: per-target budgets are claimed on the virtual clock (`budget_exhausted`), and each action that runs opens its verification window, decided when the clock passes its end (timeline entries with `decision: "verified"`, `outcome` and `followUp`; a replay only records them, it never acts). `rules` replays a candidate file instead of the rules in force; `compareTo: "current"` adds `diff`, the rules whose decision counts differ. The timeline is paged by `limit` (default 1000) and `cursor` (send the same request with the returned `nextCursor`); `summary` and `diff` always cover every snapshot. See docs/replay.md.',
    body: { schema: replayRequestSchema, required: false },
    responses: [{ status: 200, description: 'Timeline, per-rule counts of decisions and outcomes and (with compareTo) the diff.', schema: replayResultSchema }],
    errors: [{ status: 429, description: 'A replay is already running on this instance (Retry-After).' }],
  },
});

export interface ReplayRouterDeps {
  replay: Pick<ReplayService, 'replay'>;
  schemas: SchemaRegistry;
}

export function createReplayRouter({ replay, schemas }: ReplayRouterDeps): Router {
  const router = Router();

  mount(router, REPLAY_ROUTES.replay, async (req, res) => {
    const body = parseBody<ReplayRequest>(schemas, REPLAY_SCHEMA_IDS.replayRequest, req.body ?? {}, 'replay request');
    // The limits a schema cannot say (metrics depth, key length), snapshot by snapshot.
    body.snapshots?.forEach((s, i) => parseSnapshot(schemas, s, `/snapshots/${i}`));
    res.json(await replay.replay(body));
  });

  return router;
}
