import fs from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * With SOCKET_TRACE_FILE set, appends one line per connection event (accepted, request received,
 * response finished, closed and by whom) with a millisecond timestamp and the process id, so a
 * reload's dropped connections can be matched with the client's errors by port. A diagnostic: off
 * unless the variable is set; synchronous appends keep the lines of several workers in order.
 */
export function traceSockets(server: Server, file: string | undefined): void {
  if (!file) return;
  const write = (port: number | undefined, event: string) => {
    try {
      fs.appendFileSync(file, `${Date.now()} pid=${process.pid} port=${port ?? '-'} ${event}\n`);
    } catch {
      // A diagnostic must never take the service down.
    }
  };
  const requests = new WeakMap<Socket, number>();
  server.on('connection', (socket: Socket) => {
    // remotePort is gone once the socket is destroyed: keep it for the close line.
    const port = socket.remotePort;
    let finFromClient = false;
    requests.set(socket, 0);
    write(port, 'connection');
    socket.on('end', () => {
      finFromClient = true;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => write(port, `error ${err.code ?? err.message}`));
    socket.on('close', (hadError: boolean) =>
      write(port, `close ${finFromClient ? 'client-ended' : 'server-ended'} hadError=${hadError} requests=${requests.get(socket) ?? 0}`),
    );
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    const port = socket.remotePort;
    requests.set(socket, (requests.get(socket) ?? 0) + 1);
    write(port, `request ${req.method} ${req.url}`);
    res.on('finish', () => write(port, `response ${res.statusCode} connection=${String(res.getHeader('connection') ?? 'keep-alive')}`));
  });
  server.on('close', () => write(undefined, 'listener closed, all connections ended'));
}

/** Marks a moment of the shutdown in the same trace. */
export function traceMark(file: string | undefined, what: string): void {
  if (!file) return;
  try {
    fs.appendFileSync(file, `${Date.now()} pid=${process.pid} port=- ${what}\n`);
  } catch {
    // as above
  }
}
