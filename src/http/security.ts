import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Services } from '../services/create-services';
import { accessControl, ingestRateLimit } from './access-control';
import { createAccessPolicy } from './access-policy';
import { checkOpenAccess } from './api-keys';
import { sessionAuth } from './session-auth';

/**
 * Everything that runs before a body is read: security headers, who is calling and whether they
 * may, and the ingest limit. Throws ConfigError on bad key definitions or an open non-loopback bind.
 */
export function securityMiddleware(services: Services): RequestHandler[] {
  const { config, clock, logger } = services;
  const { keyring } = services;
  const warning = checkOpenAccess(config.server.host, keyring);
  if (warning) logger.warn(warning);
  else logger.info(`API keys in force: ${keyring.names().join(', ')}`);
  return [
    helmet(),
    sessionAuth({ sessions: services.sessions, keysConfigured: () => keyring.size > 0 }),
    accessControl({ keyring, policy: createAccessPolicy(), auth: config.auth, clock, logger, allowedOrigins: config.console.allowedOrigins }),
    ingestRateLimit({ auth: config.auth, clock, logger }),
  ];
}
