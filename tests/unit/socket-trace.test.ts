import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { closeGracefully } from '../../src/http/graceful-close';
import { traceMark, traceSockets } from '../../src/http/socket-trace';
import { makeTempDir } from '../helpers/test-app';

/** GET over one kept-alive socket (the agent's only one), answering status, Connection header, body. */
function get(agent: http.Agent, port: number, p: string): Promise<{ connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

describe('SOCKET_TRACE_FILE', () => {
  const dir = makeTempDir('shre-trace-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records each connection, request, answer and close with the process id, and the shutdown marks', async () => {
    const file = path.join(dir, 'trace.log');
    const server = http.createServer((_req, res) => res.end('ok'));
    traceSockets(server, file);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(agent, port, '/x')).toEqual({ connection: 'keep-alive', body: 'ok' });
    traceMark(file, 'shutdown begins (test)');
    const closed = closeGracefully(server);
    // The open keep-alive connection is answered with Connection: close and then ends.
    expect(await get(agent, port, '/y')).toEqual({ connection: 'close', body: 'ok' });
    await closed;
    agent.destroy();

    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const events = lines.map((l) => l.replace(/^\d+ /, ''));
    const me = `pid=${process.pid}`;
    expect(events).toEqual([
      expect.stringMatching(new RegExp(`^${me} port=\\d+ connection$`)),
      expect.stringMatching(new RegExp(`^${me} port=\\d+ request GET /x$`)),
      expect.stringMatching(new RegExp(`^${me} port=\\d+ response 200 connection=keep-alive$`)),
      `${me} port=- shutdown begins (test)`,
      expect.stringMatching(new RegExp(`^${me} port=\\d+ request GET /y$`)),
      expect.stringMatching(new RegExp(`^${me} port=\\d+ response 200 connection=close$`)),
      `${me} port=- listener closed, all connections ended`,
      expect.stringMatching(new RegExp(`^${me} port=\\d+ close server-ended hadError=false requests=2$`)),
    ]);
  });

  it('writes nothing when unset', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    traceSockets(server, undefined);
    traceMark(undefined, 'nothing');
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    await closeGracefully(server);
    expect(fs.readdirSync(dir).filter((f) => f !== 'trace.log')).toEqual([]);
  });
});
