import express, { type Express } from 'express';
import { createActionsRouter } from '../routes/actions';
import { createAlertsRouter } from '../routes/alerts';
import { createHealthRouter } from '../routes/health';
import { createMetricsRouter } from '../routes/metrics';
import { createNotificationsRouter } from '../routes/notifications';
import { createOpenApiRouter } from '../routes/openapi';
import { createPromptsRouter } from '../routes/prompts';
import { createRouterHealthRouter } from '../routes/router-health';
import { createRuleTriggerRouter } from '../routes/rule-trigger';
import { createRulesRouter } from '../routes/rules';
import { createSimulateRouter } from '../routes/simulate';
import { createThrottleRouter } from '../routes/throttle';
import { createWebhooksRouter } from '../routes/webhooks';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { methodNotAllowed } from './http/method-not-allowed';
import { keepRawBody } from './http/raw-body';
import { requestContext } from './http/request-context';
import { securityMiddleware } from './http/security';
import { singleQueryValues } from './http/single-query-values';
import type { Services } from './services/create-services';

/** The express app over already-built services: HTTP concerns only. */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext(services.logging));
  // Before the body parser: a caller without the right key never gets its body read.
  app.use(securityMiddleware(services));
  app.use(singleQueryValues());
  app.use(express.json({ limit: services.config.server.bodyLimit, type: ['application/json', 'application/*+json'], verify: keepRawBody }));
  app.use(createHealthRouter(services));
  // /api/health/router must be matched before anything more general under /api/health.
  app.use(createRouterHealthRouter(services));
  app.use(createMetricsRouter(services));
  app.use(createSimulateRouter(services));
  app.use(createRulesRouter(services));
  app.use(createRuleTriggerRouter(services));
  app.use(createActionsRouter(services));
  app.use(createPromptsRouter(services));
  app.use(createThrottleRouter(services));
  app.use(createAlertsRouter(services));
  app.use(createWebhooksRouter(services));
  app.use(createNotificationsRouter(services));
  app.use(createOpenApiRouter(services));
  app.use(methodNotAllowed());
  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}
