import type { AccessRule } from '../src/http/access-policy';
import type { DeclaredRoute } from '../src/http/route-declaration';
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
 * Every route the service serves, each declared once beside its handler (routes/<resource>.ts).
 * The access policy, the OpenAPI document (in this order), the strict query check, the OPTIONS and
 * 405 answers, the ingest limit and the clients' operation list are all read from here.
 */
export const ROUTE_CATALOG: readonly DeclaredRoute[] = [
  ...Object.values(HEALTH_ROUTES),
  ...Object.values(OPENAPI_ROUTES),
  ...Object.values(ROUTER_HEALTH_ROUTES),
  ...Object.values(INGEST_ROUTES),
  ...Object.values(SIMULATE_ROUTES),
  ...Object.values(REPLAY_ROUTES),
  ...Object.values(RULE_ROUTES),
  ...Object.values(RULES_HISTORY_ROUTES),
  ...Object.values(RULE_TRIGGER_ROUTES),
  ...Object.values(RULES_FILE_ROUTES),
  ...Object.values(ACTION_ROUTES),
  ...Object.values(PAUSE_ROUTES),
  ...Object.values(SILENCE_ROUTES),
  ...Object.values(SNAPSHOT_ROUTES),
  ...Object.values(STATS_ROUTES),
  ...Object.values(SOURCE_ROUTES),
  ...Object.values(PROMPT_ROUTES),
  ...Object.values(THROTTLE_ROUTES),
  ...Object.values(ALERT_ROUTES),
  ...Object.values(NOTIFICATION_ROUTES),
  ...Object.values(WEBHOOK_ROUTES),
  ...Object.values(ALERTMANAGER_ROUTES),
  ...Object.values(PROMETHEUS_ROUTES),
  ...Object.values(SESSION_ROUTES),
  ...Object.values(EVENT_ROUTES),
];

/** The access each route needs, read as a policy. */
export const ACCESS_POLICY: readonly AccessRule[] = ROUTE_CATALOG;
