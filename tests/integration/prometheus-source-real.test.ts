import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { startProgram } from '../helpers/program';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';
import { eventually } from '../helpers/webhook-receiver';

/**
 * A pull source against the real Prometheus (Debian's 2.42, installed by .ci/prometheus.sh) scraping
 * a small exporter the test controls: the gauge crosses the rule's threshold → the pulled snapshot →
 * the rule fires; Prometheus stops → the source shows the error and the stale alert while pushed
 * snapshots still go through; Prometheus comes back → pulling resumes; a second instance on the same
 * store stands by. Without the program the suite says so and asserts nothing.
 */
const missing = ['prometheus'].filter((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error !== undefined);

jest.setTimeout(120_000);

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await listen(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  return port;
}


type SourceView = { state: string; stale: boolean; lastSuccessAt: string | null; queries: Array<{ error: { reason: string } | null }>; lastSnapshots: Array<{ metrics: Record<string, unknown> }> };

if (missing.length > 0) {
  describe('a pull source against the real Prometheus', () => {
    it('is not run without the program', () => {
      console.log('PROMETHEUS SUITE NOT RUN: prometheus not installed (.ci/prometheus.sh installs it with apt)');
    });
  });
} else {
  describe('a pull source against the real Prometheus', () => {
    const stops: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    });

    it('pulls a gauge into a snapshot that fires a rule, shows an outage and its alert, resumes, and pulls on one instance only', async () => {
      const dir = makeTempDir('shre-prom-source-');
      let queueWaiting = 10;
      const exporter = await listen((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(`# HELP demo_queue_waiting Jobs waiting.\n# TYPE demo_queue_waiting gauge\ndemo_queue_waiting ${queueWaiting}\n`);
      });
      stops.push(() => new Promise((resolve) => exporter.server.close(() => resolve())));

      const promPort = await freePort();
      fs.writeFileSync(
        path.join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'scrape_configs:',
          `  - { job_name: demo-app, static_configs: [ { targets: ['127.0.0.1:${exporter.port}'] } ] }`,
          '',
        ].join('\n'),
      );
      const startPrometheus = () =>
        startProgram(
          'prometheus',
          [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`],
          path.join(dir, 'prometheus.log'),
        );
      let prom = startPrometheus();
      stops.push(() => prom.stop());
      const log = () => fs.readFileSync(path.join(dir, 'prometheus.log'), 'utf8').slice(-3000);

      // The engine's clock starts at the real time (snapshot timestamps); only staleness is moved by hand.
      const clock = new ManualClock(new Date().toISOString());
      const config = (instanceId: string) => ({
        cluster: { instanceId, leaseTtlMs: 600_000, leaseRenewMs: 300_000 },
        sources: {
          staleAfterSeconds: 30,
          maxBackoffSeconds: 2,
          prometheus: [
            {
              name: 'prom',
              url: `http://127.0.0.1:${promPort}`,
              intervalSeconds: 1,
              timeoutMs: 800,
              queries: [{ fact: 'queue.waiting', query: 'max(demo_queue_waiting{job="demo-app"})' }],
            },
          ],
        },
      });
      const apps: TestApp[] = [];
      fs.mkdirSync(path.join(dir, 'engine'));
      stops.push(async () => {
        for (const t of apps) await t.stop();
      });
      const a = await buildTestApp({
        dir: path.join(dir, 'engine'),
        clock,
        config: config('a'),
        rules: rulesDoc(
          rule('queue-backlog', {
            conditions: { all: [{ fact: 'queue', path: '$.waiting', operator: 'greaterThan', value: 500 }] },
            // Three seconds of the manual clock, judged by asking Prometheus at the end.
            verify: { windowMinutes: 0.05, onIneffective: 'none', prometheus: { query: 'max(demo_queue_waiting)', operator: 'lessThan', value: 500 } },
          }),
          rule('pushed', { conditions: { all: [{ fact: 'pushed', operator: 'equal', value: 1 }] } }),
        ),
      });
      apps.push(a);
      const b = await buildTestApp({ dir: path.join(dir, 'engine'), clock, config: config('b') });
      apps.push(b);
      const source = async (t: TestApp): Promise<SourceView> => (await request(t.app).get('/api/self-healing/sources')).body.sources[0];

      try {
        // Below the threshold: snapshots arrive, nothing fires.
        await eventually(async () => (await source(a)).lastSnapshots[0]?.metrics.queue, 60_000, 'the first pulled snapshot');
        expect((await source(a)).lastSnapshots[0]!.metrics).toEqual({ queue: { waiting: 10 } });
        expect(await a.store.listActions({ limit: 5, rule: 'queue-backlog' })).toMatchObject({ items: [] });

        // The gauge crosses the threshold: Prometheus scrapes it, the next pull carries it, the rule fires.
        queueWaiting = 900;
        const fired = await eventually(async () => (await a.store.listActions({ limit: 5, rule: 'queue-backlog' })).items[0], 30_000, 'the rule fired by a pulled snapshot');
        expect(fired).toMatchObject({ requestedBy: 'prometheus:prom', snapshot: { source: 'prom', metrics: { queue: { waiting: 900 } } } });

        // The backlog clears; at the window's end the sweep asks Prometheus itself, which says so.
        queueWaiting = 30;
        await eventually(async () => ((await source(a)).lastSnapshots[0]?.metrics.queue as { waiting?: number } | undefined)?.waiting === 30 || undefined, 30_000, 'the cleared gauge in Prometheus');
        clock.advance(4_000);
        expect(await a.services.sweeps.runOnce()).toBe(true);
        expect(await a.store.getAction(fired.id)).toMatchObject({ outcome: 'effective' });
        const verified = a.notifier.ofType('action.verified').find((e) => e.action?.id === fired.id);
        expect(verified?.data.note).toBe('Prometheus: max(demo_queue_waiting) = 30, lessThan 500');

        // Only a pulls: b stands by and has run no query.
        expect((await request(b.app).get('/api/self-healing/sources')).body).toMatchObject({ pulling: false, sources: [{ state: 'standby', lastRun: null }] });
        expect((await request(b.app).get('/metrics')).text).not.toMatch(/self_healing_source_query_duration_seconds_count\{source="prom"\} [1-9]/);
        // Every query Prometheus answered came from a's runs (one may be in flight between the two reads)
        const promMetrics = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
        const answered = [...promMetrics.matchAll(/prometheus_http_requests_total\{code="\d+",handler="\/api\/v1\/query"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
        const runs = Number(/self_healing_source_query_duration_seconds_count\{source="prom"\} (\d+)/.exec((await request(a.app).get('/metrics')).text)![1]);
        // ... and the verification's one check.
        const asked = runs + 1;
        expect(answered).toBeGreaterThan(1);
        expect(asked - answered).toBeGreaterThanOrEqual(0);
        expect(asked - answered).toBeLessThanOrEqual(2);

        // Prometheus stops: the source says so, pushed snapshots still go through, and one alert comes once it is stale.
        await prom.stop();
        await eventually(async () => ((await source(a)).state === 'failing' ? true : undefined), 15_000, 'the failing source');
        expect((await source(a)).queries[0]!.error).toMatchObject({ reason: 'unreachable' });
        const pushed = await request(a.app).post('/api/metrics?wait=true').send(snapshot({ pushed: 1 })).expect(200);
        expect(pushed.body.decisions).toMatchObject([{ rule: 'pushed', decision: 'execute', status: 'succeeded' }]);
        clock.advance(31_000);
        const alert = await eventually(
          async () => (await a.store.listAlerts({ limit: 20 })).items.find((x) => x.rule === 'source:prom'),
          15_000,
          'the stale-source alert',
        );
        expect(alert).toMatchObject({ severity: 'critical', message: expect.stringContaining('no successful run') });
        expect(await source(a)).toMatchObject({ state: 'failing', stale: true });

        // Back: pulling resumes within the capped backoff, and the source is no longer stale.
        queueWaiting = 20;
        prom = startPrometheus();
        const resumed = await eventually(
          async () => {
            const s = await source(a);
            return s.state === 'ok' && (s.lastSnapshots[0]?.metrics.queue as { waiting?: number } | undefined)?.waiting === 20 ? s : undefined;
          },
          60_000,
          'pulling resumed',
        );
        expect(resumed).toMatchObject({ stale: false });
        expect((await a.store.listAlerts({ limit: 20 })).items.filter((x) => x.rule === 'source:prom')).toHaveLength(1);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- prometheus.log\n${log()}`);
      }
    });
  });
}
