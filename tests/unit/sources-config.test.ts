import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { makeTempDir } from '../helpers/test-app';

const source = (extra: Record<string, unknown> = {}, queries: unknown[] = [{ fact: 'x', query: 'up' }]) => ({
  name: 'prom',
  url: 'http://127.0.0.1:9090',
  intervalSeconds: 15,
  timeoutMs: 5000,
  queries,
  ...extra,
});
const load = (prometheus: unknown[], cwd = '/tmp') => loadConfig({ env: {}, cwd, overrides: { sources: { prometheus } } });

describe('sources configuration', () => {
  it('has no pull source by default, a 5 minute staleness and backoff', () => {
    expect(loadConfig({ env: {}, cwd: '/tmp' }).sources).toEqual({ staleAfterSeconds: 300, maxBackoffSeconds: 300, prometheus: [] });
  });

  it('takes a full source and resolves its credential files against the working folder', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'token'), 't');
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'pem');
    const config = load(
      [
        source(
          { headers: { 'X-Scope-OrgID': 'a' }, bearerTokenFile: 'token', tlsCaFile: 'ca.pem' },
          [
            { fact: 'services.*.errorRate', query: 'sum by (job) (rate(errors[5m]))', by: 'job' },
            { fact: 'errorRate', query: 'x', splitBy: 'job' },
          ],
        ),
      ],
      dir,
    );
    expect(config.sources.prometheus[0]).toMatchObject({ bearerTokenFile: path.join(dir, 'token'), tlsCaFile: path.join(dir, 'ca.pem') });
  });

  it.each([
    [[source({ url: 'prometheus:9090' })], 'sources.prometheus.0.url: must match pattern'],
    [[source({ intervalSeconds: 0 })], 'sources.prometheus.0.intervalSeconds: must be >= 1'],
    [[source({ name: 'has space' })], 'sources.prometheus.0.name: must match pattern'],
    [[source({ querys: [] })], 'sources.prometheus.0.querys: unknown key'],
    [[source({}, [])], 'sources.prometheus.0.queries: must NOT have fewer than 1 items'],
    [[source({}, [{ fact: 'a..b', query: 'up' }])], 'sources.prometheus.0.queries.0.fact: must match pattern'],
    [[source({}, [{ fact: 'a', query: 'up', by: 'not-a-label' }])], 'sources.prometheus.0.queries.0.by: must match pattern'],
    [[source(), source()], 'sources.prometheus.1.name: "prom" names another source already'],
    [[source({ timeoutMs: 20_000 })], 'sources.prometheus.0.timeoutMs: must not exceed the interval (15000 ms)'],
    [[source({}, [{ fact: 'a', query: 'up', by: 'job', splitBy: 'job' }])], 'sources.prometheus.0.queries.0.by: by and splitBy cannot be used together'],
    [[source({}, [{ fact: 'a.*', query: 'up' }])], 'sources.prometheus.0.queries.0.fact: a "*" segment takes the value of the label named by "by"'],
    [[source({}, [{ fact: 'a.*.*', query: 'up', by: 'job' }])], 'sources.prometheus.0.queries.0.fact: at most one "*" segment'],
    [[source({ bearerTokenFile: 'no-such-token' })], 'sources.prometheus.0.bearerTokenFile: cannot read /tmp/no-such-token'],
    [[source({ basicAuth: { username: 'u', password: 'p' }, bearerTokenFile: 'x' })], 'sources.prometheus.0.basicAuth: only one of basicAuth'],
  ])('refuses a bad source at start with one line naming the key (%#)', (sources, message) => {
    expect(() => load(sources)).toThrow(`invalid configuration: ${message}`);
  });
});
