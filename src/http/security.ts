import type { RequestHandler } from 'express';
import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../logging/logger';
import { accessControl, ingestRateLimit } from './access-control';
import { createAccessPolicy } from './access-policy';
import { type ApiKeyring, checkOpenAccess } from './api-keys';
import type { AuthFailures } from './auth-failures';
import { helmetHeaders } from './helmet-headers';
import { hostCheck } from './host-check';
import { crossSiteWriteGuard } from './origin-check';
import type { RouteSpec } from './route-declaration';
import { type SessionResolver, sessionAuth } from './session-auth';

export interface SecurityDeps {
  /** Every declared route: the access each needs, and which take snapshots. */
  routes: readonly RouteSpec[];
  config: Pick<AppConfig, 'auth' | 'server' | 'console' | 'notifications'>;
  keyring: ApiKeyring;
  sessions: SessionResolver;
  clock: Clock;
  logger: Logger;
  failures: AuthFailures;
}

/**
 * Everything that runs before a body is read: security headers, who is calling and whether they
 * may, and the ingest limit. Throws ConfigError on an open non-loopback bind.
 */
export function securityMiddleware({ routes, config, keyring, sessions, clock, logger, failures }: SecurityDeps): RequestHandler[] {
  const warning = checkOpenAccess(config.server.host, keyring);
  if (warning) logger.warn(warning);
  else logger.info(`API keys in force: ${keyring.names().join(', ')}`);
  return [
    helmetHeaders(),
    // In every mode, keys or not: a loopback-only service is still reachable from the browser of
    // anyone on the machine, so neither a rebound DNS name nor another site's page may drive it.
    hostCheck({ host: config.server.host, allowedHosts: config.server.allowedHosts, urls: [...config.console.allowedOrigins, config.notifications.publicUrl] }),
    crossSiteWriteGuard({ allowedOrigins: config.console.allowedOrigins, logger }),
    sessionAuth({ sessions, keysConfigured: () => keyring.size > 0 }),
    accessControl({ keyring, policy: createAccessPolicy(routes), auth: config.auth, clock, logger, allowedOrigins: config.console.allowedOrigins, failures }),
    ingestRateLimit({ routes, auth: config.auth, clock, logger }),
  ];
}
