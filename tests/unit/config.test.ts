import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { makeTempDir } from '../helpers/test-app';

describe('configuration', () => {
  it('starts from config/default.json: loopback, port 3080, SQLite in ./data', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/app' });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 3080, bodyLimit: '1mb' });
    expect(config.store.type).toBe('sqlite');
    expect(config.store.sqlite.path).toBe('/srv/app/data/self-healing.db');
    expect(config.rules.file).toBe('/srv/app/config/self-healing-rules.json');
    expect(config.approvals.timeoutMinutes).toBe(60);
    expect(config.prometheus).toEqual({ maxSourceLabels: 50, alertmanager: { sourceLabel: 'job', defaultSource: 'alertmanager' } });
  });

  it('lets environment variables override, after CONFIG_FILE', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'override.json');
    fs.writeFileSync(file, JSON.stringify({ server: { port: 4000 }, approvals: { timeoutMinutes: 5 }, services: { x: 'x-api' } }));
    const config = loadConfig({
      cwd: dir,
      env: { CONFIG_FILE: 'override.json', PORT: '4100', HOST: '0.0.0.0', LOG_LEVEL: 'debug', RULES_FILE: 'r.json', APPROVAL_TIMEOUT_MINUTES: '30' },
    });
    expect(config.server.port).toBe(4100);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.log.level).toBe('debug');
    expect(config.rules.file).toBe(path.join(dir, 'r.json'));
    expect(config.approvals.timeoutMinutes).toBe(30);
    expect(config.services).toMatchObject({ agentx: 'agentx-api', x: 'x-api' });
  });

  it.each([
    [{ PORT: 'abc' }, 'invalid configuration: server.port (from PORT=abc): must be integer'],
    [{ PORT: '70000' }, 'invalid configuration: server.port (from PORT=70000): must be <= 65535'],
    [{ STORE: 'postgres' }, 'invalid configuration: store.type (from STORE=postgres): must be equal to one of the allowed values'],
    [{ LOG_LEVEL: 'loud' }, 'invalid configuration: log.level (from LOG_LEVEL=loud): must be equal to one of the allowed values'],
    [{ STORE: 'mongo' }, 'invalid configuration: store.mongo.uri: required when store.type is "mongo" (set MONGODB_URI)'],
    [{ METRICS_MAX_SOURCE_LABELS: '0' }, 'invalid configuration: prometheus.maxSourceLabels (from METRICS_MAX_SOURCE_LABELS=0): must be >= 1'],
    [{ ALERTMANAGER_SOURCE_LABEL: 'l'.repeat(201) }, `invalid configuration: prometheus.alertmanager.sourceLabel (from ALERTMANAGER_SOURCE_LABEL=${'l'.repeat(201)}): must NOT have more than 200 characters`],
    [{ MODEL_HOST_PRIMARY: 'ftp://x' }, 'invalid configuration: modelHosts.primary (from MODEL_HOST_PRIMARY=ftp://x): must match pattern "^https?://[^\\s]+$"'],
  ])('refuses %j with one line naming the key', (env, message) => {
    expect(() => loadConfig({ env, cwd: '/tmp' })).toThrow(message);
  });

  it('names unknown keys and unreadable files', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ server: { prot: 1 } }));
    expect(() => loadConfig({ env: { CONFIG_FILE: 'c.json' }, cwd: dir })).toThrow('invalid configuration: server.prot: unknown key');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{');
    expect(() => loadConfig({ env: { CONFIG_FILE: 'broken.json' }, cwd: dir })).toThrow(/CONFIG_FILE: .*broken.json is not valid JSON/);
    expect(() => loadConfig({ env: { CONFIG_FILE: 'missing.json' }, cwd: dir })).toThrow(/CONFIG_FILE: cannot read/);
  });

  it('ignores prototype-polluting keys in a config file', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'p.json'), '{"__proto__": {"polluted": true}, "server": {"port": 3999}}');
    const config = loadConfig({ env: { CONFIG_FILE: 'p.json' }, cwd: dir });
    expect(config.server.port).toBe(3999);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
