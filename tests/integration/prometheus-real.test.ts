import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { API_KEYS, KEYS } from '../helpers/api-keys';
import { rule, rulesDoc } from '../helpers/rules';
import { startProgram } from '../helpers/program';
import { getJson } from '../helpers/service-client';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/test-app';
import { eventually } from '../helpers/webhook-receiver';

/**
 * Against the real programs (Debian's prometheus 2.42 and prometheus-alertmanager 0.25, installed by
 * .ci/prometheus.sh): Prometheus scrapes the engine and a tiny exporter; an alert on the exporter's
 * gauge goes through Alertmanager to the engine's webhook, a rule runs its action, the resolved alert
 * follows, and Prometheus has scraped the action's count. Without the programs the suite says so and
 * asserts nothing. Everything listens on 127.0.0.1, on free ports, in a temp dir.
 */
const BINARIES = ['prometheus', 'promtool', 'prometheus-alertmanager', 'amtool'];
const missing = BINARIES.filter((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error !== undefined);
const DOCS = path.join(__dirname, '..', '..', 'docs', 'prometheus');

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Prometheus's reply to an instant query (/api/v1/query) with a vector result. */
type PromVector = { data: { result: Array<{ value: [number, string] }> } };

function run(command: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

if (missing.length > 0) {
  describe('Prometheus and Alertmanager, for real', () => {
    it('is not run without the programs', () => {
      console.log(`PROMETHEUS SUITE NOT RUN: ${missing.join(', ')} not installed (.ci/prometheus.sh installs them with apt)`);
    });
  });
} else {
  describe('Prometheus and Alertmanager, for real', () => {
    const stops: Array<() => Promise<void>> = [];
    let dir: string;

    beforeEach(() => {
      dir = makeTempDir('shre-prometheus-');
    });

    afterEach(async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    });

    it('the shipped examples pass promtool and amtool: config, rules, rule unit tests, routes', () => {
      const examples = path.join(dir, 'examples');
      fs.cpSync(DOCS, examples, { recursive: true });
      // alertmanager.yml names a key file beside it (and prometheus.yml one in its commented lines).
      fs.writeFileSync(path.join(examples, 'self-healing-viewer.key'), `${KEYS.viewer}\n`);
      fs.writeFileSync(path.join(examples, 'self-healing-operator.key'), `${KEYS.operator}\n`);
      const checks = [
        run('promtool', ['check', 'config', 'prometheus.yml'], examples),
        run('promtool', ['check', 'rules', 'alerting-rules.yml'], examples),
        run('promtool', ['test', 'rules', 'alerting-rules.test.yml'], examples),
        run('amtool', ['check-config', 'alertmanager.yml'], examples),
      ];
      expect(checks.filter((c) => !c.ok).map((c) => c.output)).toEqual([]);
      const route = (labels: string[]) => run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels], examples).output.trim().split('\n')[0];
      expect(route(['alertname=HighErrorRate', 'job=agentx'])).toBe('self-healing');
      expect(route(['alertname=SelfHealingDown', 'notify=people', 'job=self-healing'])).toBe('people');
    });

    it('scrapes the engine, and an alert through Alertmanager drives a rule until it resolves', async () => {
      // The engine, with keys: Prometheus sends a viewer key, Alertmanager an operator key.
      let t: TestApp | null = await buildTestApp({
        dir,
        rules: rulesDoc(
          rule('throttle-on-high-errors', {
            conditions: { all: [{ fact: 'alerts', path: '$.HighErrorRate.firing', operator: 'equal', value: true }] },
            action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 15 } },
            // A 3 s verification window on the test's manual clock, moved by hand below.
            verify: { windowMinutes: 0.05, onIneffective: 'revert' },
          }),
          rule('note-recovery', {
            conditions: { all: [{ fact: 'alerts', path: '$.HighErrorRate.firing', operator: 'equal', value: false }] },
            action: { type: 'alert_only', params: { message: 'HighErrorRate resolved' } },
            severity: 'info',
          }),
        ),
        config: { auth: { apiKeys: API_KEYS } },
      });
      const app = t.app;
      const engine = await listen(app as unknown as http.RequestListener);
      stops.push(async () => {
        await new Promise((resolve) => engine.server.close(resolve));
        await t?.stop();
        t = null;
      });
      const services = t.services;

      // The application: one gauge the test sets.
      let errorRatio = 0.5;
      const exporter = await listen((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(`# HELP demo_error_ratio Share of failing requests.\n# TYPE demo_error_ratio gauge\ndemo_error_ratio ${errorRatio}\n`);
      });
      stops.push(() => new Promise((resolve) => exporter.server.close(() => resolve())));

      const [promPort, amPort] = [await freePort(), await freePort()];
      /** The value of `promql`'s first series, as Prometheus answers it now. */
      const promValue = async (promql: string) =>
        (await getJson<PromVector>({ url: `http://127.0.0.1:${promPort}` }, `/api/v1/query?query=${encodeURIComponent(promql)}`)).data.result[0]?.value[1];
      fs.writeFileSync(path.join(dir, 'viewer.key'), `${KEYS.viewer}\n`);
      fs.writeFileSync(path.join(dir, 'operator.key'), `${KEYS.operator}\n`);
      fs.writeFileSync(
        path.join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [rules.yml]',
          `alerting: { alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${amPort}'] } ] } ] }`,
          'scrape_configs:',
          `  - { job_name: self-healing, authorization: { credentials_file: viewer.key }, static_configs: [ { targets: ['127.0.0.1:${engine.port}'] } ] }`,
          `  - { job_name: demo-app, static_configs: [ { targets: ['127.0.0.1:${exporter.port}'] } ] }`,
          '',
        ].join('\n'),
      );
      fs.writeFileSync(
        path.join(dir, 'rules.yml'),
        [
          'groups:',
          '  - name: demo',
          '    interval: 1s',
          '    rules:',
          '      - alert: HighErrorRate',
          '        expr: demo_error_ratio > 0.1',
          '        labels: { severity: critical }',
          "        annotations: { summary: 'errors are high' }",
          '',
        ].join('\n'),
      );
      fs.writeFileSync(
        path.join(dir, 'alertmanager.yml'),
        [
          'route: { receiver: engine, group_by: [alertname, job], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }',
          'receivers:',
          '  - name: engine',
          '    webhook_configs:',
          `      - url: http://127.0.0.1:${engine.port}/api/webhooks/alertmanager`,
          '        send_resolved: true',
          '        http_config: { authorization: { credentials_file: operator.key } }',
          '',
        ].join('\n'),
      );
      expect(run('promtool', ['check', 'config', 'prometheus.yml'], dir)).toMatchObject({ ok: true });
      expect(run('amtool', ['check-config', 'alertmanager.yml'], dir)).toMatchObject({ ok: true });

      const am = startProgram(
        'prometheus-alertmanager',
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'am')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
        ],
        path.join(dir, 'alertmanager.log'),
      );
      stops.push(am.stop);
      const prom = startProgram(
        'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          // An alert fired before the Alertmanager is discovered is dropped; resend it soon, not in a minute.
          '--rules.alert.resend-delay=2s',
        ],
        path.join(dir, 'prometheus.log'),
      );
      stops.push(prom.stop);
      const logs = () => ['prometheus.log', 'alertmanager.log'].map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-3000)}`).join('\n');

      try {
        const actionOf = async (ruleName: string) =>
          (await services.store.listActions({ limit: 10, rule: ruleName })).items.find((a) => a.status === 'succeeded');

        // Firing: the alert reaches the engine and the throttle runs.
        const throttled = await eventually(() => actionOf('throttle-on-high-errors'), 60_000, 'the alert-driven throttle');
        expect(throttled).toMatchObject({ type: 'throttle', requestedBy: 'alertmanager:demo-app' });
        expect(throttled.snapshot?.metrics).toMatchObject({ alerts: { HighErrorRate: { firing: true, severity: 'critical' } } });

        expect(throttled.outcome).toBe('pending');

        // Back to normal: the resolved alert arrives as firing: false, inside the verification window.
        t!.clock.advance(1_000);
        const resolvedAt = t!.clock.now();
        errorRatio = 0;
        const recovered = await eventually(() => actionOf('note-recovery'), 60_000, 'the resolved alert');
        expect(recovered.snapshot?.metrics).toMatchObject({ alerts: { HighErrorRate: { firing: false } } });

        // The window ends; the periodic work judges it: the rule no longer matches, so the throttle helped.
        t!.clock.advance(3_000);
        expect(await services.sweeps.runOnce()).toBe(true);
        const verified = await services.store.getAction(throttled.id);
        expect(verified).toMatchObject({ outcome: 'effective', recoveredAt: resolvedAt });

        // Prometheus has scraped the action from /metrics (with the viewer key).
        const value = await eventually(
          () => promValue('self_healing_actions_total{job="self-healing",type="throttle",status="succeeded"}'),
          30_000,
          'self_healing_actions_total in Prometheus',
        );
        expect(Number(value)).toBe(1);
        const effective = await eventually(
          () => promValue('self_healing_action_outcomes_total{job="self-healing",rule="throttle-on-high-errors",outcome="effective"}'),
          30_000,
          'self_healing_action_outcomes_total in Prometheus',
        );
        expect(Number(effective)).toBe(1);
        expect(await promValue('up{job="self-healing"}')).toBe('1');
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${logs()}`);
      }
    });
  });
}
