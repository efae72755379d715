import type { Server } from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config/load-config';
import { ConfigError } from './errors';
import { checkOpenAccess, loadApiKeys } from './http/api-keys';
import { createLogging } from './logging/logger';
import { createServices, type Services } from './composition/create-services';
import { createStore } from './store/create-store';
import { faultPointsFromEnv } from './composition/fault-injection';
import { closeGracefully } from './http/graceful-close';

export interface RunningService {
  services: Services;
  server: Server;
  url: string;
  shutdown(reason: string): Promise<void>;
}

/** Builds everything from configuration, starts it and listens; the caller owns the process. */
export async function startService(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig({ env });
  // Bad keys, or no keys on a non-loopback address, refuse the start before anything is opened.
  const keyring = loadApiKeys(config.auth);
  checkOpenAccess(config.server.host, keyring);
  const logging = createLogging(config, env);
  const faults = faultPointsFromEnv(env);
  const store = createStore(config, faults);
  const services = createServices(store, config, logging, { keyring, faults });
  await services.start();
  const app = createApp(services);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.server.port, config.server.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logging.logger.info(`self-healing rule engine listening on ${url}`, {
    store: config.store.type,
    rulesFile: config.rules.file,
    rules: services.rules.current().rules.length,
  });

  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logging.logger.info(`shutting down (${reason}): no new requests, finishing running actions`);
      // Open event streams never go idle: end them, or the close would wait for them forever.
      services.events.closeStreams();
      await closeGracefully(server);
      await services.stop();
      logging.logger.info('shutdown complete');
    })();
    return stopping;
  };
  return { services, server, url, shutdown };
}

async function main(): Promise<void> {
  let running: RunningService;
  try {
    running = await startService();
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `failed to start: ${(err as Error).message}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const stop = (reason: string) => {
    running
      .shutdown(reason)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // PM2 sends this message instead of a signal when shutdown_with_message is set (Windows, cluster).
  process.on('message', (msg) => {
    if (msg === 'shutdown') stop('pm2 shutdown message');
  });
  process.on('unhandledRejection', (reason) => {
    running.services.logger.error('unhandled promise rejection', {
      error: reason instanceof Error ? reason.stack : String(reason),
    });
  });
}

if (require.main === module) {
  void main();
}
