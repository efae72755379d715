import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '../../src/cli/main';
import { buildTestApp, type TestApp, type TestAppOptions } from './test-app';

export interface CliService {
  t: TestApp;
  url: string;
  /** `self-healing <args> --url <the service>` in-process (the same run() the binary calls), with this API key. */
  cli(args: string[], key: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** A test app listening on a free local port, and the CLI pointed at it. */
export async function serveForCli(options: TestAppOptions): Promise<CliService> {
  const t = await buildTestApp(options);
  const server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    t,
    url,
    async cli(args, key) {
      const out: string[] = [];
      const err: string[] = [];
      process.env.SELF_HEALING_API_KEY = key;
      try {
        const code = await run([...args, '--url', url], { out: (s) => out.push(s), err: (s) => err.push(s) });
        return { code, stdout: out.join('\n'), stderr: err.join('\n') };
      } finally {
        delete process.env.SELF_HEALING_API_KEY;
      }
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await t.stop();
    },
  };
}
