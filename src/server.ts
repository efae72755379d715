import { createServer, type Server } from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config/load-config';
import { ConfigError } from './errors';
import { checkOpenAccess, loadApiKeys } from './http/api-keys';
import { createLogging } from './logging/logger';
import { createServices, type Services } from './composition/create-services';
import { createStore } from './store/create-store';
import { faultPointsFromEnv } from './composition/fault-injection';
import { closeGracefully } from './http/graceful-close';
import { RequestsInFlight } from './http/requests-in-flight';
import { traceMark, traceSockets } from './http/socket-trace';

export interface RunningService {
  services: Services;
  server: Server;
  url: string;
  shutdown(reason: string): Promise<void>;
}

/**
 * Listens, or rejects with the bind error (EADDRINUSE, EACCES). Not express's app.listen: express 5
 * hands a bind error to the listen callback, which is easy to mistake for success.
 */
function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
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
  const inFlight = new RequestsInFlight();
  let server: Server;
  try {
    const unbound = createServer(app);
    inFlight.track(unbound);
    server = await listen(unbound, config.server.port, config.server.host);
  } catch (err) {
    // A taken port is a failed start: stop what was started, so the process exits non-zero
    // (and PM2 counts a failed start) instead of idling as if it served.
    logging.logger.error(`cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`);
    await services.stop().catch(() => undefined);
    throw err;
  }
  traceSockets(server, env.SOCKET_TRACE_FILE);
  traceMark(env.SOCKET_TRACE_FILE, `listening, ${Math.round(process.uptime() * 1000)} ms after the process started`);
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
      traceMark(env.SOCKET_TRACE_FILE, `shutdown begins (${reason})`);
      // Open event streams never go idle: end them, or the close would wait for them forever.
      services.events.closeStreams();
      await closeGracefully(server);
      traceMark(env.SOCKET_TRACE_FILE, 'connections drained');
      // A request whose client went away has no connection left but may still be writing.
      if (inFlight.count > 0) logging.logger.info(`waiting for ${inFlight.count} request(s) whose clients went away to finish`);
      const unanswered = await inFlight.settled(config.server.shutdownTimeoutMs);
      if (unanswered > 0) logging.logger.warn(`shutting down with ${unanswered} request(s) still unanswered after ${config.server.shutdownTimeoutMs} ms`);
      await services.stop();
      logging.logger.info('shutdown complete');
      traceMark(env.SOCKET_TRACE_FILE, 'shutdown complete');
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
  // PM2 with wait_ready waits for this before it stops the worker being replaced (pm2 reload) or
  // counts a start as done: the store is open, the rules are loaded, the port is taken, and the
  // signal handlers are in place (a stop may follow at once).
  process.send?.('ready');
}

if (require.main === module) {
  void main();
}
