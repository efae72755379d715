import express, { type Express } from 'express';
import { createActionsRouter } from '../routes/actions';
import { createAlertmanagerRouter } from '../routes/alertmanager';
import { createAlertsRouter } from '../routes/alerts';
import { createConsoleRouter } from '../routes/console';
import { createEventsRouter } from '../routes/events';
import { createHealthRouter } from '../routes/health';
import { createIngestRouter } from '../routes/ingest';
import { createNotificationsRouter } from '../routes/notifications';
import { createOpenApiRouter } from '../routes/openapi';
import { createPauseRouter } from '../routes/pause';
import { createSilencesRouter } from '../routes/silences';
import { createIncidentsRouter } from '../routes/incidents';
import { createStatsRouter } from '../routes/stats';
import { createPrometheusRouter } from '../routes/prometheus';
import { createPromptsRouter } from '../routes/prompts';
import { createRouterHealthRouter } from '../routes/router-health';
import { createRuleTriggerRouter } from '../routes/rule-trigger';
import { createRulesHistoryRouter } from '../routes/rules-history';
import { createRulesRouter } from '../routes/rules';
import { createReplayRouter } from '../routes/replay';
import { createRulesFileRouter } from '../routes/rules-file';
import { ROUTE_CATALOG } from '../routes/route-catalog';
import { createSessionRouter } from '../routes/session';
import { createSimulateRouter } from '../routes/simulate';
import { createSnapshotsRouter } from '../routes/snapshots';
import { createSourcesRouter } from '../routes/sources';
import { createThrottleRouter } from '../routes/throttle';
import { createWebhooksRouter } from '../routes/webhooks';
import { AuthFailures } from './http/auth-failures';
import { bodyLimitBytes, drainUnreadBody } from './http/drain-body';
import { refuseForeignCharset } from './http/charset';
import { refuseNonFiniteNumbers } from './http/finite-body';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { answerOptions, methodNotAllowed } from './http/method-not-allowed';
import { refuseUndeclaredQuery } from './http/query-contract';
import { keepRawBody } from './http/raw-body';
import { requestContext } from './http/request-context';
import { securityMiddleware } from './http/security';
import { singleQueryValues } from './http/single-query-values';
import type { Services } from './composition/create-services';

/** The express app over already-built services: HTTP concerns only. */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const { config, schemas, remediation, approvals, actions, rules, notifications } = services;
  app.use(requestContext(services.logging));
  // Before the body parser: a caller without the right key never gets its body read.
  // One failed-authentication counter for every way a key or session is checked.
  const authFailures = new AuthFailures(config.auth, services.clock);
  app.use(securityMiddleware({ routes: ROUTE_CATALOG, config, keyring: services.keyring, sessions: services.sessions, clock: services.clock, logger: services.logger, failures: authFailures }));
  app.use(singleQueryValues());
  app.use(answerOptions(ROUTE_CATALOG));
  app.use(refuseUndeclaredQuery(ROUTE_CATALOG));
  app.use(refuseForeignCharset());
  app.use(express.json({ limit: config.server.bodyLimit, type: ['application/json', 'application/*+json'], verify: keepRawBody }));
  app.use(refuseNonFiniteNumbers());
  // Batch ingest also takes one snapshot per line (a string body; other routes refuse one as invalid).
  // Parsed here, before unread bodies are drained, and not as a route of its own.
  app.use(express.text({ type: 'application/x-ndjson', limit: config.server.bodyLimit }));
  app.use(drainUnreadBody(bodyLimitBytes(config.server.bodyLimit)));
  // Ingest first: it is by far the busiest route, and no other router shares its paths.
  app.use(createIngestRouter({ remediation, replies: services.idempotentReplies, schemas, config }));
  app.use(createHealthRouter({ health: services.health }));
  // /api/health/router must be matched before anything more general under /api/health.
  app.use(createRouterHealthRouter({ failover: services.failover, failbackProbes: services.failbackProbes, schemas }));
  app.use(createSimulateRouter({ remediation, schemas }));
  app.use(createReplayRouter({ replay: services.replay, schemas }));
  app.use(createRulesHistoryRouter({ history: services.rulesHistory, rules, schemas }));
  app.use(createRulesFileRouter({ rules, schemas }));
  app.use(createRulesRouter({ rules, remediation, actions, schemas, evaluationErrors: services.evaluationErrors }));
  app.use(createRuleTriggerRouter({ remediation, schemas, config, logger: services.logger }));
  app.use(createActionsRouter({ actions, approvals, reverts: services.reverts, schemas }));
  app.use(createSnapshotsRouter({ snapshots: services.snapshots }));
  app.use(createPromptsRouter({ prompts: services.prompts, schemas }));
  app.use(createThrottleRouter({ throttle: services.throttle }));
  app.use(createAlertsRouter({ alerts: services.alerts, schemas }));
  app.use(createWebhooksRouter({ notifications, remediation, approvals, schemas, config }));
  app.use(createAlertmanagerRouter({ remediation, schemas, config, clock: services.clock }));
  app.use(createPrometheusRouter({ metrics: services.metrics }));
  app.use(createNotificationsRouter({ notifications }));
  app.use(createOpenApiRouter({ schemas, routes: ROUTE_CATALOG }));
  app.use(createPauseRouter({ pause: services.pause, schemas }));
  app.use(createSilencesRouter({ silences: services.silences, schemas }));
  app.use(createIncidentsRouter({ incidents: services.incidents }));
  app.use(createStatsRouter({ stats: services.stats }));
  app.use(createSourcesRouter({ sources: services.sources }));
  app.use(createSessionRouter({ sessions: services.sessions, keyring: services.keyring, config, schemas, clock: services.clock, logger: services.logger, failures: authFailures }));
  app.use(createEventsRouter({ events: services.events, config, logger: services.logger }));
  app.use(createConsoleRouter());
  app.use(methodNotAllowed(ROUTE_CATALOG));
  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}
