import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_RULES_FILE, makeTempDir } from '../helpers/test-app';
import { startServiceProcess } from '../helpers/service-process';

function dataEnv(): Record<string, string> {
  const dir = makeTempDir();
  const rules = path.join(dir, 'rules.json');
  fs.copyFileSync(DEFAULT_RULES_FILE, rules);
  return { SQLITE_PATH: path.join(dir, 'store.db'), RULES_FILE: rules, RULES_WATCH: 'false' };
}

describe('access control of the service as a process', () => {
  it('refuses to start bound beyond loopback without keys, with one line, before opening anything', async () => {
    const env = dataEnv();
    const proc = await startServiceProcess({ ...env, HOST: '0.0.0.0' }, false);
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe(
      'invalid configuration: server.host: "0.0.0.0" is not a loopback address and no API keys are configured: set API_KEYS or API_KEYS_FILE, or bind to 127.0.0.1',
    );
    expect(fs.existsSync(env.SQLITE_PATH!)).toBe(false);
  });

  it('refuses to start on a bad key definition, naming it and not the secret', async () => {
    const proc = await startServiceProcess({ ...dataEnv(), API_KEYS: 'ops:root:very-secret-value' }, false);
    expect(await proc.exited).toBe(1);
    const out = proc.output().trim();
    expect(out).toBe('invalid configuration: auth.apiKeys (API_KEYS) entry 1 ("ops"): role "root" is not one of viewer, operator, approver, admin');
    expect(out).not.toContain('very-secret-value');
  });

  it('runs open on loopback without keys and says so', async () => {
    const proc = await startServiceProcess(dataEnv());
    try {
      expect(proc.output()).toMatch(/no API keys are configured: every route is OPEN to anyone who can reach 127\.0\.0\.1/);
      expect((await fetch(`${proc.url}/api/self-healing/rules`)).status).toBe(200);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });

  it('with keys, asks for one over real HTTP', async () => {
    const proc = await startServiceProcess({ ...dataEnv(), API_KEYS: 'ops:viewer:ops-key-123456' });
    try {
      const anonymous = await fetch(`${proc.url}/api/self-healing/rules`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="self-healing"');
      const ok = await fetch(`${proc.url}/api/self-healing/rules`, { headers: { Authorization: 'Bearer ops-key-123456' } });
      expect(ok.status).toBe(200);
      expect(proc.output()).toMatch(/API keys in force: ops/);
      expect(proc.output()).not.toContain('ops-key-123456');
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });
});
