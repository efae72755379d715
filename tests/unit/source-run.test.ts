import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { PrometheusSourceConfig } from '../../src/config/sections/sources';
import { runSource } from '../../src/sources/source-run';
import { FakePrometheus } from '../helpers/fake-prometheus';
import { makeTempDir } from '../helpers/test-app';

const AT = new Date('2026-03-01T10:00:00.000Z');
const { vector, scalar } = FakePrometheus;

describe('a pull source run against an HTTP Prometheus', () => {
  let prom: FakePrometheus;
  const source = (queries: PrometheusSourceConfig['queries'], extra: Partial<PrometheusSourceConfig> = {}): PrometheusSourceConfig => ({
    name: 'prom',
    url: prom.url,
    intervalSeconds: 10,
    timeoutMs: 500,
    queries,
    ...extra,
  });

  beforeEach(async () => {
    prom = await FakePrometheus.start();
  });
  afterEach(() => prom.close());

  it('puts a scalar and a one-series vector at their dotted facts, in one snapshot named for the source', async () => {
    prom.set('avg_latency', vector([{}, '5200.5']));
    prom.set('scalar(err)', scalar('0.3'));
    const run = await runSource(
      source([
        { fact: 'ollama.avgResponseTimeMs', query: 'avg_latency' },
        { fact: 'ollama.errorRate', query: 'scalar(err)' },
      ]),
      AT,
    );
    expect(run.snapshots).toEqual([
      { source: 'prom', timestamp: '2026-03-01T10:00:00.000Z', metrics: { ollama: { avgResponseTimeMs: 5200.5, errorRate: 0.3 } } },
    ]);
    expect(run.queries.map((q) => [q.fact, q.values, q.error])).toEqual([
      ['ollama.avgResponseTimeMs', 1, null],
      ['ollama.errorRate', 1, null],
    ]);
    // Instant queries at Prometheus' own present: no time is sent, so clock skew between hosts does not matter.
    expect(prom.requests.map((r) => r.time)).toEqual([null, null]);
  });

  it('keys a vector by a label with `by`, into a "*" segment or under the fact', async () => {
    prom.set('sum by (job) (errors)', vector([{ job: 'agentx' }, '0.2'], [{ job: 'rag' }, '0.01']));
    prom.set('up', vector([{ job: 'agentx' }, '1'], [{ job: 'rag' }, '0']));
    const run = await runSource(
      source([
        { fact: 'services.*.errorRate', query: 'sum by (job) (errors)', by: 'job' },
        { fact: 'up', query: 'up', by: 'job' },
      ]),
      AT,
    );
    expect(run.snapshots[0]!.metrics).toEqual({
      services: { agentx: { errorRate: 0.2 }, rag: { errorRate: 0.01 } },
      up: { agentx: 1, rag: 0 },
    });
  });

  it('makes one snapshot per label value with `splitBy`, whose source is that value', async () => {
    prom.set('errs', vector([{ job: 'agentx' }, '0.2'], [{ job: 'rag worker' }, '0.05']));
    prom.set('cost', vector([{}, '7']));
    const run = await runSource(
      source([
        { fact: 'errorRate', query: 'errs', splitBy: 'job' },
        { fact: 'costPerHour', query: 'cost' },
      ]),
      AT,
    );
    expect(run.snapshots).toEqual([
      { source: 'agentx', timestamp: AT.toISOString(), metrics: { errorRate: 0.2 } },
      // A label value a source may not hold (a space) is made fit for one.
      { source: 'rag_worker', timestamp: AT.toISOString(), metrics: { errorRate: 0.05 } },
      { source: 'prom', timestamp: AT.toISOString(), metrics: { costPerHour: 7 } },
    ]);
  });

  it('leaves NaN, ±Inf, empty results and series without the label out, and makes no snapshot of nothing', async () => {
    prom.set('nan', vector([{}, 'NaN']));
    prom.set('inf', scalar('+Inf'));
    prom.set('by', vector([{ job: 'a' }, '-Inf'], [{ other: 'x' }, '1'], [{ job: 'b' }, '2']));
    const run = await runSource(
      source([
        { fact: 'a', query: 'nan' },
        { fact: 'b', query: 'inf' },
        { fact: 'c', query: 'nothing' },
        { fact: 'd', query: 'by', by: 'job' },
      ]),
      AT,
    );
    expect(run.queries.map((q) => [q.fact, q.values, q.leftOut, q.error])).toEqual([
      ['a', 0, 1, null],
      ['b', 0, 1, null],
      ['c', 0, 0, null],
      ['d', 1, 2, null],
    ]);
    expect(run.snapshots).toEqual([{ source: 'prom', timestamp: AT.toISOString(), metrics: { d: { b: 2 } } }]);

    prom.set('by', vector());
    const empty = await runSource(source([{ fact: 'a', query: 'nan' }, { fact: 'c', query: 'nothing' }, { fact: 'd', query: 'by', by: 'job' }]), AT);
    expect(empty.snapshots).toEqual([]);
  });

  it('reports each failing query on its own and keeps the facts of the others', async () => {
    prom.set('good', vector([{}, '1']));
    prom.set('bad syntax(', { error: 'parse error at char 11', errorType: 'bad_data' });
    prom.set('two', vector([{ job: 'a' }, '1'], [{ job: 'b' }, '2']));
    prom.set('matrix', { data: { resultType: 'matrix', result: [] } });
    prom.set('string', { data: { resultType: 'string', result: [1, 'x'] } });
    prom.set('dup', vector([{ job: 'a', i: '1' }, '1'], [{ job: 'a', i: '2' }, '2']));
    prom.set('scalar with by', scalar('1'));
    prom.set('500', { raw: 'upstream broke', status: 500 });
    prom.set('not json', { raw: '<html>', status: 200 });
    prom.set('slow', { hang: true });
    const run = await runSource(
      source(
        [
          { fact: 'ok', query: 'good' },
          { fact: 'e1', query: 'bad syntax(' },
          { fact: 'e2', query: 'two' },
          { fact: 'e3', query: 'matrix' },
          { fact: 'e4', query: 'string' },
          { fact: 'e5', query: 'dup', by: 'job' },
          { fact: 'e6', query: 'scalar with by', by: 'job' },
          { fact: 'e7', query: '500' },
          { fact: 'e8', query: 'not json' },
          { fact: 'e9', query: 'slow' },
        ],
        { timeoutMs: 300 },
      ),
      AT,
    );
    expect(run.snapshots).toEqual([{ source: 'prom', timestamp: AT.toISOString(), metrics: { ok: 1 } }]);
    const errors = Object.fromEntries(run.queries.map((q) => [q.fact, q.error]));
    expect(errors).toEqual({
      ok: null,
      e1: { reason: 'query_error', message: 'bad_data: parse error at char 11' },
      e2: { reason: 'bad_result', message: expect.stringContaining('2 series; aggregate them') },
      e3: { reason: 'bad_result', message: expect.stringContaining('a matrix result cannot be a fact') },
      e4: { reason: 'bad_result', message: expect.stringContaining('a string result') },
      e5: { reason: 'bad_result', message: 'several series have job="a"; aggregate them by job' },
      e6: { reason: 'bad_result', message: expect.stringContaining('a scalar has no label "job"') },
      e7: { reason: 'http_status', message: 'HTTP 500: upstream broke' },
      e8: { reason: 'bad_result', message: 'not a Prometheus query answer' },
      e9: { reason: 'timeout', message: 'no answer within 300 ms' },
    });
    // The timeout bounds the whole run: the queries run side by side.
    expect(run.durationMs).toBeLessThan(3000);
  });

  it('says a Prometheus that is not there is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runSource({ name: 'gone', url: `http://127.0.0.1:${port}`, intervalSeconds: 1, timeoutMs: 500, queries: [{ fact: 'x', query: 'up' }] }, AT);
    expect(run.queries[0]!.error).toEqual({ reason: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
    expect(run.snapshots).toEqual([]);
  });

  it('reports facts of two queries that collide on the later one', async () => {
    prom.set('a', vector([{}, '1']));
    prom.set('b', vector([{}, '2']));
    const run = await runSource(source([{ fact: 'x', query: 'a' }, { fact: 'x.y', query: 'b' }]), AT);
    expect(run.snapshots[0]!.metrics).toEqual({ x: 1 });
    expect(run.queries[1]!.error).toEqual({ reason: 'bad_result', message: "x.y collides with another query's fact" });
  });

  it('sends the configured headers, basic auth, or the bearer token read from its file at each run', async () => {
    prom.set('q', vector([{}, '1']));
    await runSource(source([{ fact: 'x', query: 'q' }], { headers: { 'X-Scope-OrgID': 'team-a' }, basicAuth: { username: 'u', password: 'p' } }), AT);
    expect(prom.requests[0]!.headers).toMatchObject({ 'x-scope-orgid': 'team-a', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });

    const tokenFile = path.join(makeTempDir(), 'token');
    fs.writeFileSync(tokenFile, 'first\n');
    await runSource(source([{ fact: 'x', query: 'q' }], { bearerTokenFile: tokenFile }), AT);
    fs.writeFileSync(tokenFile, 'rotated\n');
    await runSource(source([{ fact: 'x', query: 'q' }], { bearerTokenFile: tokenFile }), AT);
    expect(prom.requests.slice(1).map((r) => r.headers.authorization)).toEqual(['Bearer first', 'Bearer rotated']);
  });

  it('takes a base URL with a trailing slash', async () => {
    prom.set('q', vector([{}, '3']));
    const run = await runSource(source([{ fact: 'x', query: 'q' }], { url: `${prom.url}/` }), AT);
    expect(run.snapshots[0]!.metrics).toEqual({ x: 3 });
  });

  it('trusts the CA bundle named by tlsCaFile for an https Prometheus, and refuses an unknown certificate without it', async () => {
    const tlsDir = path.join(__dirname, '..', 'fixtures', 'tls');
    const cert = path.join(tlsDir, 'cert.pem');
    const secure = await FakePrometheus.start(0, { key: fs.readFileSync(path.join(tlsDir, 'key.pem')), cert: fs.readFileSync(cert) });
    try {
      secure.set('q', vector([{}, '5']));
      const base = { name: 'tls', url: secure.url, intervalSeconds: 10, timeoutMs: 2000, queries: [{ fact: 'x', query: 'q' }] };
      expect((await runSource({ ...base, tlsCaFile: cert }, AT)).snapshots[0]!.metrics).toEqual({ x: 5 });
      const untrusted = await runSource(base, AT);
      expect(untrusted.queries[0]!.error).toEqual({ reason: 'unreachable', message: expect.stringMatching(/self.signed certificate/i) });
    } finally {
      await secure.close();
    }
  });
});
