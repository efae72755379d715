import type { AccessRule } from '../src/http/access-policy';
import type { DeclaredRoute } from '../src/http/route-declaration';
import { ROUTES, type RouteId } from '../src/http/route-table';
import { OPERATIONS } from '../src/openapi/operations';
import { HEALTH_ROUTES } from './health';
import { PAUSE_ROUTES } from './pause';
import { THROTTLE_ROUTES } from './throttle';
import { ACTION_ROUTES } from './actions';
import { ALERT_ROUTES } from './alerts';
import { PROMPT_ROUTES } from './prompts';
import { SNAPSHOT_ROUTES } from './snapshots';
import { STATS_ROUTES } from './stats';
import { SOURCE_ROUTES } from './sources';
import { NOTIFICATION_ROUTES } from './notifications';
import { RULE_ROUTES } from './rules';
import { RULES_HISTORY_ROUTES } from './rules-history';
import { RULES_FILE_ROUTES } from './rules-file';
import { RULE_TRIGGER_ROUTES } from './rule-trigger';
import { SIMULATE_ROUTES } from './simulate';
import { REPLAY_ROUTES } from './replay';
import { ROUTER_HEALTH_ROUTES } from './router-health';

const INGEST_LIMITED = new Set<string>(['ingestSnapshot', 'ingestSnapshotBatch', 'n8nWebhook', 'alertmanagerWebhook']);

/** Routes still described in the old tables (src/http/route-table.ts, src/openapi/operations.ts), until each moves beside its handler. */
const LEGACY_ROUTES: DeclaredRoute[] = OPERATIONS.map((op) => {
  const route = ROUTES[op.operationId as RouteId];
  return { ...op, method: route.method, access: route.access, ...(INGEST_LIMITED.has(op.operationId) ? { ingestLimited: true as const } : {}) };
});

/**
 * Every route the service serves, each declared once beside its handler (routes/<resource>.ts).
 * The access policy, the OpenAPI document, the strict query check, the OPTIONS and 405 answers,
 * the ingest limit and the clients' operation list are all read from here.
 */
export const ROUTE_CATALOG: readonly DeclaredRoute[] = [
  ...Object.values(HEALTH_ROUTES),
  ...LEGACY_ROUTES,
  ...Object.values(ROUTER_HEALTH_ROUTES),
  ...Object.values(REPLAY_ROUTES),
  ...Object.values(SIMULATE_ROUTES),
  ...Object.values(RULE_TRIGGER_ROUTES),
  ...Object.values(RULES_FILE_ROUTES),
  ...Object.values(RULES_HISTORY_ROUTES),
  ...Object.values(RULE_ROUTES),
  ...Object.values(NOTIFICATION_ROUTES),
  ...Object.values(SOURCE_ROUTES),
  ...Object.values(STATS_ROUTES),
  ...Object.values(SNAPSHOT_ROUTES),
  ...Object.values(PROMPT_ROUTES),
  ...Object.values(ALERT_ROUTES),
  ...Object.values(ACTION_ROUTES),
  ...Object.values(PAUSE_ROUTES),
  ...Object.values(THROTTLE_ROUTES),
];

/** The access each route needs, read as a policy. */
export const ACCESS_POLICY: readonly AccessRule[] = ROUTE_CATALOG;
