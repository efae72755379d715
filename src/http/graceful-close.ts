import net from 'node:net';
import type { Server } from 'node:http';

/**
 * Stops a server the way a reload needs (`pm2 reload`, SIGINT/SIGTERM): no request is refused or
 * cut off. It stops listening (in PM2 cluster mode the primary then hands new connections to the
 * other workers), answers every further request on an open keep-alive socket with
 * `Connection: close` so the client opens its next one elsewhere, and lets idle sockets end by the
 * keep-alive timeout the client was told of — exactly as they do in normal running, which clients
 * expect. Closing idle sockets at once instead (what `server.close()` does on Node 19+) races a
 * client that sends on one at that instant: its request meets a reset (1 in 10,263 in a measured
 * reload). Resolves when the last connection has ended.
 */
export function closeGracefully(server: Server): Promise<void> {
  // Ahead of the application's own listener: a route that answers at once (health, a refused
  // request) would otherwise send its headers before this runs, and keep the socket alive.
  server.prependListener('request', (_req, res) => {
    res.setHeader('Connection', 'close');
  });
  return new Promise<void>((resolve) => {
    // net.Server's own close: stop listening, keep the open sockets (http.Server#close would drop the idle ones).
    net.Server.prototype.close.call(server, () => resolve());
  });
}
