import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_RULES_FILE, makeTempDir } from '../helpers/test-app';
import { startServiceProcess } from '../helpers/service-process';

describe('the service as a process', () => {
  it('starts on the embedded store, creating its data dir, serves, and stops gracefully on SIGTERM', async () => {
    const dir = makeTempDir();
    const rules = path.join(dir, 'rules.json');
    fs.copyFileSync(DEFAULT_RULES_FILE, rules);
    const proc = await startServiceProcess({ SQLITE_PATH: path.join(dir, 'data', 'store.db'), RULES_FILE: rules });
    expect(fs.existsSync(path.join(dir, 'data', 'store.db'))).toBe(true);
    const res = await fetch(`${proc.url}/api/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'agentx', timestamp: '2026-01-03T10:00:00Z', metrics: { diskPercent: 95 } }),
    });
    const body = (await res.json()) as { decisions: { rule: string; decision: string }[] };
    expect(body.decisions).toEqual([expect.objectContaining({ rule: 'disk-almost-full', decision: 'execute' })]);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).toMatch(/shutdown complete/);
  });

  it('refuses to start on a bad configuration value with one line naming the key', async () => {
    const proc = await startServiceProcess({ PORT: 'eighty' }, false);
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe('invalid configuration: server.port (from PORT=eighty): must be integer');
  });

  it('refuses to start on an invalid rules file, naming file and pointer', async () => {
    const dir = makeTempDir();
    const rules = path.join(dir, 'rules.json');
    fs.writeFileSync(rules, JSON.stringify({ rules: [{ name: 'x', conditions: { all: [] }, action: { type: 'alert_only' } }] }));
    const proc = await startServiceProcess({ SQLITE_PATH: path.join(dir, 's.db'), RULES_FILE: rules }, false);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain(`rules file ${rules} is invalid at /rules/0/conditions/all`);
  });

  it('fails the start on a port already taken: logs the error and exits non-zero, never "listening"', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const dir = makeTempDir();
      const rules = path.join(dir, 'rules.json');
      fs.copyFileSync(DEFAULT_RULES_FILE, rules);
      const proc = await startServiceProcess({ PORT: String(port), SQLITE_PATH: path.join(dir, 's.db'), RULES_FILE: rules }, false);
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(proc.output()).toContain('EADDRINUSE');
      expect(proc.output()).not.toMatch(/listening on/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
