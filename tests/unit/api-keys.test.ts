import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { AuthConfig } from '../../src/config/sections/auth';
import { ConfigError } from '../../src/errors';
import { createAccessPolicy } from '../../src/http/access-policy';
import { ACCESS_POLICY } from '../../routes/route-catalog';
import { checkOpenAccess, isLoopbackHost, loadApiKeys } from '../../src/http/api-keys';
import { RateLimiter } from '../../src/http/rate-limiter';
import { makeTempDir } from '../helpers/test-app';

function auth(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    apiKeys: '',
    apiKeysFile: '',
    fourEyes: ['service_restart'],
    rateLimit: { ingestPerMinute: 100, authFailuresPerMinute: 10, instances: 1 },
    ...overrides,
  };
}

const hex = (secret: string) => createHash('sha256').update(secret).digest('hex');

function keysFile(content: unknown): string {
  const file = path.join(makeTempDir(), 'keys.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('API keys', () => {
  it('reads API_KEYS entries and API_KEYS_FILE together and knows each key by its secret', () => {
    const file = keysFile([{ name: 'ci', role: 'operator', sha256: hex('ci-secret-value') }]);
    const ring = loadApiKeys(auth({ apiKeys: ' alice:admin:a-secret:with:colons , bob:viewer:b-secret,', apiKeysFile: file }));
    expect(ring.names()).toEqual(['alice', 'bob', 'ci']);
    expect(ring.verify('a-secret:with:colons')).toEqual({ name: 'alice', role: 'admin' });
    expect(ring.verify('b-secret')).toEqual({ name: 'bob', role: 'viewer' });
    expect(ring.verify('ci-secret-value')).toEqual({ name: 'ci', role: 'operator' });
    expect(ring.verify('b-secreT')).toBeNull();
    expect(ring.verify('')).toBeNull();
  });

  it('refuses bad definitions with one line naming what, and never the secret', () => {
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'alice:boss:topsecret1' })))).toBe(
      'invalid configuration: auth.apiKeys (API_KEYS) entry 1 ("alice"): role "boss" is not one of viewer, operator, approver, admin',
    );
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'a:viewer:one,a:admin:two' })))).toMatch(/duplicate key name "a"/);
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'a:viewer:  ' })))).toMatch(/entry 1 \("a"\): the key is empty/);
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'justasecretvalue' })))).toMatch(/entry 1: must be "name:role:key"/);
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'a:viewer:same,b:admin:same' })))).toMatch(/"a" and "b" are the same secret/);
    const message = refusal(() => loadApiKeys(auth({ apiKeys: 'ok:viewer:s3cr3t-value,bad name:viewer:s3cr3t-other' })));
    expect(message).toMatch(/entry 2: name "bad name"/);
    expect(message).not.toMatch(/s3cr3t/);
  });

  it('refuses an unreadable, malformed or wrongly shaped keys file', () => {
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: '/nonexistent/keys.json' })))).toBe(
      'invalid configuration: auth.apiKeysFile (/nonexistent/keys.json): cannot be read: ENOENT',
    );
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile('[{') })))).toMatch(/is not valid JSON/);
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile({ name: 'x' }) })))).toMatch(/must be a JSON array/);
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile([{ name: 'x', role: 'viewer', sha256: 'abc' }]) })))).toMatch(
      /entry 1 \("x"\): sha256 must be 64 hex characters/,
    );
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile([{ name: 'x', role: 'root', sha256: hex('k') }]) })))).toMatch(
      /role "root" is not one of/,
    );
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile([{ name: 'x', role: 'viewer', sha256: hex('') }]) })))).toMatch(
      /the key is empty/,
    );
    expect(refusal(() => loadApiKeys(auth({ apiKeysFile: keysFile([{ name: 'x', role: 'viewer', sha256: hex('k'), key: 'k' }]) })))).toMatch(
      /unknown member "key"/,
    );
    const dup = keysFile([{ name: 'alice', role: 'viewer', sha256: hex('other') }]);
    expect(refusal(() => loadApiKeys(auth({ apiKeys: 'alice:admin:mine', apiKeysFile: dup })))).toMatch(/duplicate key name "alice"/);
  });
});

describe('auth configuration', () => {
  it('accepts only real action types in auth.fourEyes', () => {
    expect(() => loadConfig({ env: {}, overrides: { auth: { fourEyes: ['service_rstart'] } } })).toThrow(
      /invalid configuration: auth\.fourEyes\.0: must be equal to one of the allowed values/,
    );
    expect(loadConfig({ env: {}, overrides: { auth: { fourEyes: ['model_failover', 'service_restart'] } } }).auth.fourEyes).toEqual([
      'model_failover',
      'service_restart',
    ]);
  });
});

describe('the loopback rule', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '', '10.0.0.5', 'example.com', '128.0.0.1', 'localhost.evil.com']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('runs open on loopback with a warning, refuses elsewhere, and says nothing once keys exist', () => {
    const none = loadApiKeys(auth());
    expect(checkOpenAccess('127.0.0.1', none)).toMatch(/no API keys are configured: every route is OPEN/);
    expect(refusal(() => checkOpenAccess('0.0.0.0', none))).toBe(
      'invalid configuration: server.host: "0.0.0.0" is not a loopback address and no API keys are configured: set API_KEYS or API_KEYS_FILE, or bind to 127.0.0.1',
    );
    expect(checkOpenAccess('0.0.0.0', loadApiKeys(auth({ apiKeys: 'a:viewer:k' })))).toBeNull();
  });
});

describe('the access policy', () => {
  const policy = createAccessPolicy(ACCESS_POLICY);
  it('matches the way express routes: any case, optional trailing slash, HEAD as GET', () => {
    expect(policy.accessFor('POST', '/api/metrics')).toBe('operator');
    expect(policy.accessFor('post', '/API/Metrics/')).toBe('operator');
    expect(policy.accessFor('HEAD', '/api/self-healing/rules')).toBe('viewer');
    expect(policy.accessFor('POST', '/api/self-healing/rules/validate')).toBe('operator');
    expect(policy.accessFor('POST', '/api/self-healing/rules/disk/trigger')).toBe('operator');
    expect(policy.accessFor('DELETE', '/api/self-healing/rules/disk')).toBe('admin');
    expect(policy.accessFor('GET', '/api/health')).toBe('public');
    expect(policy.accessFor('POST', '/api/webhooks/n8n')).toBe('webhook');
    expect(policy.accessFor('GET', '/api/nothing')).toBeNull();
    expect(policy.accessFor('GET', '/api/self-healing/rules//')).toBeNull();
  });
});

describe('the rate limiter', () => {
  it('allows perMinute at once, then one more per refill interval, with the wait in whole seconds', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(3, clock);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').allowed).toBe(true);
    clock.advance(19_000);
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('keeps a bounded number of clients in memory', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(2, clock, 100);
    for (let i = 0; i < 1000; i++) limiter.take(`client-${i}`);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});
