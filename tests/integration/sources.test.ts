import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { FakePrometheus } from '../helpers/fake-prometheus';
import { buildTestApp, type TestApp } from '../helpers/test-app';
import { rule, rulesDoc, snapshot } from '../helpers/rules';

const { vector } = FakePrometheus;
const LATENCY = 'avg(ollama_response_ms)';
const ERRORS = 'sum by (job) (rate(http_errors_total[5m])) / sum by (job) (rate(http_requests_total[5m]))';
const COST = 'sum(llm_cost_per_hour)';

const RULES = rulesDoc(
  rule('slow-host', {
    conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
  }),
  rule('agentx-errors', {
    conditions: { all: [{ fact: 'services', path: '$.agentx.errorRate', operator: 'greaterThan', value: 0.1 }] },
  }),
  rule('pushed', { conditions: { all: [{ fact: 'pushed', operator: 'equal', value: 1 }] } }),
);

/** Renewal timers run in real time; set far beyond the test so the lease changes only by the manual clock. */
const TTL_MS = 600_000;

describe('Prometheus pull sources', () => {
  let prom: FakePrometheus;
  const apps: TestApp[] = [];

  const config = (instanceId: string, extra: Record<string, unknown> = {}) => ({
    cluster: { instanceId, leaseTtlMs: TTL_MS, leaseRenewMs: TTL_MS / 2 },
    sources: {
      staleAfterSeconds: 60,
      maxBackoffSeconds: 3600,
      prometheus: [
        {
          name: 'prom',
          url: prom.url,
          // Long: the test runs each pull itself (pullAll) after the one at start.
          intervalSeconds: 3600,
          timeoutMs: 1000,
          queries: [
            { fact: 'ollama.avgResponseTimeMs', query: LATENCY },
            { fact: 'services.*.errorRate', query: ERRORS, by: 'job' },
            { fact: 'costPerHour', query: COST },
          ],
        },
      ],
    },
    ...extra,
  });

  async function instance(id: string, clock: ManualClock, dir?: string): Promise<TestApp> {
    const t = await buildTestApp({ clock, config: config(id), ...(dir ? { dir } : { rules: RULES }) });
    apps.push(t);
    return t;
  }

  beforeEach(async () => {
    prom = await FakePrometheus.start();
    prom.set(LATENCY, vector([{}, '1200']));
    prom.set(ERRORS, vector([{ job: 'agentx' }, '0.01'], [{ job: 'rag' }, '0.02']));
    prom.set(COST, vector([{}, '2']));
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.stop();
    await prom.close();
  });

  it('ingests the pulled snapshot like a pushed one: the rule fires, requestedBy names the source', async () => {
    const t = await instance('a', new ManualClock('2026-03-01T10:00:00Z'));
    await t.services.sources.pullAll();
    expect(await t.store.listActions({ limit: 10 })).toMatchObject({ items: [] });

    prom.set(LATENCY, vector([{}, '7300']));
    t.clock.advance(1000);
    await t.services.sources.pullAll();
    const actions = (await t.store.listActions({ limit: 10 })).items;
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ rule: 'slow-host', requestedBy: 'prometheus:prom', status: 'succeeded' });
    expect(actions[0]!.snapshot).toMatchObject({
      source: 'prom',
      metrics: { ollama: { avgResponseTimeMs: 7300 }, services: { agentx: { errorRate: 0.01 }, rag: { errorRate: 0.02 } }, costPerHour: 2 },
    });

    const res = await request(t.app).get('/api/self-healing/sources').expect(200);
    expect(res.body).toMatchObject({ pulling: true, staleAfterSeconds: 60 });
    expect(res.body.sources[0]).toMatchObject({
      name: 'prom',
      state: 'ok',
      stale: false,
      lastRun: { at: '2026-03-01T10:00:01.000Z' },
      lastSuccessAt: '2026-03-01T10:00:01.000Z',
      consecutiveFailures: 0,
      lastSnapshots: [{ source: 'prom', metrics: { ollama: { avgResponseTimeMs: 7300 } }, snapshotId: actions[0]!.snapshotId, error: null }],
    });
    expect(res.body.sources[0].queries.map((q: { fact: string; values: number; error: unknown }) => [q.fact, q.values, q.error])).toEqual([
      ['ollama.avgResponseTimeMs', 1, null],
      ['services.*.errorRate', 2, null],
      ['costPerHour', 1, null],
    ]);
    const metrics = (await request(t.app).get('/metrics')).text;
    expect(metrics).toMatch(/self_healing_source_query_duration_seconds_count\{source="prom"\} [1-9]/);
    expect(metrics).toMatch(/self_healing_snapshots_ingested_total\{source="prom"\} [1-9]/);
  });

  it('keeps the other queries when one fails, shows the error, counts it, and raises one alert when stale', async () => {
    const t = await instance('a', new ManualClock('2026-03-01T10:00:00Z'));
    await t.services.sources.pullAll();
    prom.set(COST, { error: 'parse error', errorType: 'bad_data' });
    prom.set(LATENCY, vector([{}, '9000']));
    t.clock.advance(1000);
    await t.services.sources.pullAll();

    // The latency still arrived and its rule fired.
    expect((await t.store.listActions({ limit: 10, rule: 'slow-host' })).items).toHaveLength(1);
    const status = (await request(t.app).get('/api/self-healing/sources')).body.sources[0];
    expect(status).toMatchObject({ state: 'partial', stale: false, consecutiveFailures: 1, lastSuccessAt: '2026-03-01T10:00:00.000Z' });
    expect(status.queries[2]).toMatchObject({ fact: 'costPerHour', error: { reason: 'query_error', message: 'bad_data: parse error' } });
    expect(status.lastSnapshots[0].metrics).not.toHaveProperty('costPerHour');
    expect((await request(t.app).get('/metrics')).text).toContain(
      'self_healing_source_query_failures_total{source="prom",fact="costPerHour",reason="query_error"} 1',
    );

    const staleAlerts = async () => (await t.store.listAlerts({ limit: 50 })).items.filter((a) => a.rule === 'source:prom');
    // Sixty seconds after the last successful run: one alert, however many runs still fail.
    t.clock.advance(58_000);
    await t.services.sources.pullAll();
    expect(await staleAlerts()).toHaveLength(0);
    t.clock.advance(2_000);
    await t.services.sources.pullAll();
    t.clock.advance(30_000);
    await t.services.sources.pullAll();
    const alerts = await staleAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', message: expect.stringContaining('costPerHour: bad_data: parse error') });
    expect((await request(t.app).get('/api/self-healing/sources')).body.sources[0]).toMatchObject({ stale: true, state: 'partial' });

    // It answers again: no longer stale; a later outage raises a new alert.
    prom.set(COST, vector([{}, '2']));
    await t.services.sources.pullAll();
    expect((await request(t.app).get('/api/self-healing/sources')).body.sources[0]).toMatchObject({ stale: false, state: 'ok', consecutiveFailures: 0 });
    prom.set(COST, { hang: true });
    t.clock.advance(61_000);
    await t.services.sources.pullAll();
    expect(await staleAlerts()).toHaveLength(2);
  });

  it('never holds up pushed snapshots while Prometheus does not answer', async () => {
    const t = await instance('a', new ManualClock('2026-03-01T10:00:00Z'));
    for (const q of [LATENCY, ERRORS, COST]) prom.set(q, { hang: true });
    const pulling = t.services.sources.pullAll();
    const started = Date.now();
    const pushed = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ pushed: 1 })).expect(200);
    expect(pushed.body.decisions).toMatchObject([{ rule: 'pushed', decision: 'execute', status: 'succeeded' }]);
    // Answered while the pull still waits on its one-second timeout.
    expect(Date.now() - started).toBeLessThan(1000);
    await pulling;
    expect((await request(t.app).get('/api/self-healing/sources')).body.sources[0]).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
  });

  it('pulls on the periodic-work lease holder only; the other instance stands by until it takes over', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const a = await instance('a', clock);
    const b = await instance('b', clock, a.dir);
    await a.services.sources.pullAll();
    await b.services.sources.pullAll();
    const before = prom.requests.length;
    await b.services.sources.pullAll();
    expect(prom.requests.length).toBe(before);
    expect((await request(b.app).get('/api/self-healing/sources')).body).toMatchObject({ pulling: false, sources: [{ state: 'standby', lastRun: null }] });
    await a.services.sources.pullAll();
    expect(prom.requests.length).toBe(before + 3);
    // One snapshot per run of three queries: nobody else pulled.
    const stored = await a.store.listSnapshotsFrom('prom', new Date(0), new Date('2027-01-01'), 100);
    expect(stored.length * 3).toBe(prom.requests.length);

    // a stops (and hands the lease over): b takes the lease on its next renewal and pulls.
    await a.stop();
    apps.splice(apps.indexOf(a), 1);
    expect(await b.services.sweeps.runOnce()).toBe(true);
    await b.services.sources.pullAll();
    expect(prom.requests.length).toBe(before + 6);
    expect((await request(b.app).get('/api/self-healing/sources')).body).toMatchObject({ pulling: true, sources: [{ state: 'ok' }] });
  });
});

describe('a Prometheus that is down', () => {
  it('is retried with a wait that doubles from the interval up to maxBackoffSeconds, and at the interval once it answers', async () => {
    let prom = await FakePrometheus.start();
    const url = prom.url;
    await prom.close();
    const t = await buildTestApp({
      rules: RULES,
      config: {
        sources: { staleAfterSeconds: 3600, maxBackoffSeconds: 100, prometheus: [{ name: 'down', url, intervalSeconds: 20, timeoutMs: 1000, queries: [{ fact: 'x', query: 'up' }] }] },
      },
    });
    const status = async () => (await request(t.app).get('/api/self-healing/sources')).body.sources[0];
    const wait = (s: { nextRunAt: string }) => (Date.parse(s.nextRunAt) - t.clock.now().getTime()) / 1000;
    try {
      for (let i = 0; i < 4; i++) {
        await t.services.sources.pullAll();
        const s = await status();
        expect(s.queries[0].error).toMatchObject({ reason: 'unreachable' });
        // The run at start may have counted one failure already: the wait follows the count.
        expect(wait(s)).toBe(Math.min(100, 20 * 2 ** s.consecutiveFailures));
      }
      expect((await status()).consecutiveFailures).toBeGreaterThanOrEqual(4);

      prom = await FakePrometheus.start(Number(new URL(url).port));
      prom.set('up', FakePrometheus.vector([{}, '1']));
      await t.services.sources.pullAll();
      const s = await status();
      expect(s).toMatchObject({ state: 'ok', consecutiveFailures: 0, lastSnapshots: [{ metrics: { x: 1 } }] });
      expect(wait(s)).toBe(20);
    } finally {
      await t.stop();
      await prom.close();
    }
  });
});

describe('verification that asks Prometheus', () => {
  const CHECK = 'sum(rate(errors[5m])) / sum(rate(requests[5m]))';
  let prom: FakePrometheus;
  let t: TestApp;

  beforeEach(async () => {
    prom = await FakePrometheus.start();
    const verified = (name: string, fact: string, check: Record<string, unknown>) =>
      rule(name, {
        conditions: { all: [{ fact, operator: 'greaterThan', value: 0.1 }] },
        verify: { windowMinutes: 1, onIneffective: 'none', prometheus: check },
      });
    t = await buildTestApp({
      rules: rulesDoc(
        verified('checked', 'errorRate', { query: CHECK, operator: 'lessThan', value: 0.05 }),
        verified('checked-elsewhere', 'otherRate', { query: CHECK, operator: 'lessThan', value: 0.05, source: 'nope' }),
      ),
      config: {
        sources: {
          staleAfterSeconds: 3600,
          maxBackoffSeconds: 3600,
          prometheus: [{ name: 'prom', url: prom.url, intervalSeconds: 3600, timeoutMs: 1000, queries: [{ fact: 'unused', query: 'vector(1)' }] }],
        },
      },
    });
  });
  afterEach(async () => {
    await t.stop();
    await prom.close();
  });

  /** Pushes one snapshot that fires `fact`'s rule, lets its one-minute window pass without another snapshot, and runs the sweep. */
  async function judged(fact: string): Promise<{ outcome: unknown; note: unknown; verify: unknown }> {
    const res = await request(t.app).post('/api/metrics?wait=true').send(snapshot({ [fact]: 0.5 }, `app-${fact}`)).expect(200);
    const id = res.body.decisions[0].actionId as string;
    t.clock.advance(61_000);
    await t.services.sweeps.runOnce();
    const action = (await request(t.app).get(`/api/self-healing/actions/${id}`).expect(200)).body;
    const event = t.notifier.ofType('action.verified').find((e) => e.action?.id === id);
    return { outcome: action.outcome, note: event?.data.note, verify: action.verify };
  }

  it('judges the action by the query at the window end, with no snapshot in the window', async () => {
    prom.set(CHECK, FakePrometheus.vector([{}, '0.01']));
    expect(await judged('errorRate')).toEqual({
      outcome: 'effective',
      note: `Prometheus: ${CHECK} = 0.01, lessThan 0.05`,
      verify: { windowMinutes: 1, onIneffective: 'none', prometheus: { query: CHECK, operator: 'lessThan', value: 0.05 } },
    });
    t.clock.advance(11 * 60_000);
    prom.set(CHECK, FakePrometheus.vector([{}, '0.3']));
    expect(await judged('errorRate')).toMatchObject({ outcome: 'ineffective', note: `Prometheus: ${CHECK} = 0.3, not lessThan 0.05` });
  });

  it('falls back to the snapshots when the query gives no number, and says why', async () => {
    prom.set(CHECK, { error: 'query timed out', errorType: 'timeout', status: 503 });
    expect(await judged('errorRate')).toMatchObject({
      outcome: 'unknown',
      note: 'the Prometheus check gave no number (prom: timeout: query timed out); no snapshot from app-errorRate arrived during the window',
    });
    expect(await judged('otherRate')).toMatchObject({ outcome: 'unknown', note: expect.stringContaining('no pull source named "nope"') });
  });
});
