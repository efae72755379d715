import net from 'node:net';
import { escapeFieldNames, unescapeFieldNames } from '../../src/store/mongo/field-names';
import { MongoStore } from '../../src/store/mongo/mongo-store';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('MongoStore edges (no server needed)', () => {
  it('fails to start with one line naming the URI without its credentials', async () => {
    const port = await closedPort();
    const store = new MongoStore({ uri: `mongodb://admin:s3cret@127.0.0.1:${port}/app`, serverSelectionTimeoutMs: 500 });
    const error = await store.init().then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(new RegExp(`^cannot connect to MongoDB at mongodb://127\\.0\\.0\\.1:${port}/app: `));
    expect(error?.message).not.toMatch(/s3cret|admin/);
    expect(error?.message).not.toContain('\n');
    await expect(store.ping()).resolves.toBe(false);
  });

  it('escapes keys FerretDB refuses and restores them exactly', () => {
    const value = { 'a.b': { $c: [{ 'd%2E': 1 }] }, '': 2, plain: new Date(0), ['\u0000x']: null };
    const escaped = escapeFieldNames(value);
    expect(Object.keys(escaped)).toEqual(['a%2Eb', '', 'plain', '%00x']);
    expect(JSON.stringify(escaped)).not.toMatch(/"\$|\.[^"]*":/);
    expect(unescapeFieldNames(escaped)).toEqual(value);
  });
});
