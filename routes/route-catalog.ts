import type { AccessRule } from '../src/http/access-policy';
import { catalogOf, type DeclaredRoute } from '../src/http/route-declaration';
import { HEALTH_ROUTES } from './health';
import { OPENAPI_ROUTES } from './openapi';
import { ROUTER_HEALTH_ROUTES } from './router-health';
import { INGEST_ROUTES } from './ingest';
import { SIMULATE_ROUTES } from './simulate';
import { REPLAY_ROUTES } from './replay';
import { RULE_ROUTES } from './rules';
import { RULES_HISTORY_ROUTES } from './rules-history';
import { RULE_TRIGGER_ROUTES } from './rule-trigger';
import { RULES_FILE_ROUTES } from './rules-file';
import { ACTION_ROUTES } from './actions';
import { PAUSE_ROUTES } from './pause';
import { SILENCE_ROUTES } from './silences';
import { INCIDENT_ROUTES } from './incidents';
import { SNAPSHOT_ROUTES } from './snapshots';
import { STATS_ROUTES } from './stats';
import { SOURCE_ROUTES } from './sources';
import { PROMPT_ROUTES } from './prompts';
import { THROTTLE_ROUTES } from './throttle';
import { ALERT_ROUTES } from './alerts';
import { NOTIFICATION_ROUTES } from './notifications';
import { WEBHOOK_ROUTES } from './webhooks';
import { ALERTMANAGER_ROUTES } from './alertmanager';
import { PROMETHEUS_ROUTES } from './prometheus';
import { SESSION_ROUTES } from './session';
import { EVENT_ROUTES } from './events';

/**
 * Every route the service serves by name, each declared once beside its handler
 * (routes/<resource>.ts): the typed map clients call operations by (src/cli/service-client.ts).
 */
export const ROUTES = catalogOf(
  HEALTH_ROUTES,
  OPENAPI_ROUTES,
  ROUTER_HEALTH_ROUTES,
  INGEST_ROUTES,
  SIMULATE_ROUTES,
  REPLAY_ROUTES,
  RULE_ROUTES,
  RULES_HISTORY_ROUTES,
  RULE_TRIGGER_ROUTES,
  RULES_FILE_ROUTES,
  ACTION_ROUTES,
  PAUSE_ROUTES,
  SILENCE_ROUTES,
  INCIDENT_ROUTES,
  SNAPSHOT_ROUTES,
  STATS_ROUTES,
  SOURCE_ROUTES,
  PROMPT_ROUTES,
  THROTTLE_ROUTES,
  ALERT_ROUTES,
  NOTIFICATION_ROUTES,
  WEBHOOK_ROUTES,
  ALERTMANAGER_ROUTES,
  PROMETHEUS_ROUTES,
  SESSION_ROUTES,
  EVENT_ROUTES,
);

/**
 * The same declarations as a list. The access policy, the OpenAPI document (in this order), the
 * strict query check, the OPTIONS and 405 answers, the ingest limit and the console's operation
 * list are all read from here.
 */
export const ROUTE_CATALOG: readonly DeclaredRoute[] = Object.values(ROUTES);

/** The name clients call a route by (its operationId). */
export type OperationName = keyof typeof ROUTES;

/** The access each route needs, read as a policy. */
export const ACCESS_POLICY: readonly AccessRule[] = ROUTE_CATALOG;
