import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeGracefully } from '../../src/http/graceful-close';
import { RequestsInFlight } from '../../src/http/requests-in-flight';

/** A server whose handler for /slow waits for `release()`; every other path answers at once. */
async function serverWithGate() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const handlerEntered = new Promise<void>((r) => (entered = r));
  const finished: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url !== '/slow') return void res.end('fast');
    entered();
    void gate.then(() => {
      finished.push('slow');
      res.end('slow');
    });
  });
  const inFlight = new RequestsInFlight();
  inFlight.track(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, inFlight, port, release, handlerEntered, finished };
}

/**
 * A client sends /slow and goes away while its handler waits; then the server closes gracefully,
 * which, with the connection gone, has nothing left to wait for.
 */
async function abandonSlowRequestAndClose(t: Awaited<ReturnType<typeof serverWithGate>>): Promise<void> {
  const req = http.get({ host: '127.0.0.1', port: t.port, path: '/slow', agent: false });
  req.on('error', () => undefined);
  await t.handlerEntered;
  req.destroy();
  await closeGracefully(t.server);
}

function getText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

describe('RequestsInFlight', () => {
  it('counts a request until it is answered', async () => {
    const t = await serverWithGate();
    expect(await getText(t.port, '/x')).toBe('fast');
    expect(t.inFlight.count).toBe(0);
    const slow = getText(t.port, '/slow');
    await t.handlerEntered;
    expect(t.inFlight.count).toBe(1);
    t.release();
    expect(await slow).toBe('slow');
    expect(t.inFlight.count).toBe(0);
    await closeGracefully(t.server);
  });

  it('keeps waiting for a handler whose client went away, after every connection has ended', async () => {
    const t = await serverWithGate();
    await abandonSlowRequestAndClose(t);
    expect(t.inFlight.count).toBe(1);
    let settledWith: number | undefined;
    const settled = t.inFlight.settled(10_000).then((n) => (settledWith = n));
    await new Promise((r) => setTimeout(r, 50));
    expect(settledWith).toBeUndefined();
    expect(t.finished).toEqual([]);
    t.release();
    await settled;
    expect(settledWith).toBe(0);
    expect(t.finished).toEqual(['slow']);
    expect(t.inFlight.count).toBe(0);
  });

  it('gives up after the timeout and says how many were left unanswered', async () => {
    const t = await serverWithGate();
    await abandonSlowRequestAndClose(t);
    expect(await t.inFlight.settled(50)).toBe(1);
    t.release();
    await new Promise((r) => setTimeout(r, 10));
    expect(t.inFlight.count).toBe(0);
    expect(await t.inFlight.settled(50)).toBe(0);
  });
});
