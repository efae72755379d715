import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/main';
import { FakePrometheus } from '../helpers/fake-prometheus';
import { makeTempDir } from '../helpers/test-app';

const { vector } = FakePrometheus;

/** The command in this process, its output captured (the process path is covered by rules-commands.test.ts). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
  return { code, stdout, stderr };
}

describe('self-healing sources test', () => {
  let prom: FakePrometheus;
  let dir: string;
  const writeConfig = (sources: unknown[]) => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ sources: { prometheus: sources } }));
    return file;
  };
  const source = (name: string, url: string, queries: unknown[]) => ({ name, url, intervalSeconds: 15, timeoutMs: 500, queries });

  beforeEach(async () => {
    prom = await FakePrometheus.start();
    dir = makeTempDir('shre-cli-sources-');
  });
  afterEach(() => prom.close());

  it('runs each query once and prints the snapshots it would produce; exit 0 when every query answered', async () => {
    prom.set('lat', vector([{}, '6100']));
    prom.set('errs', vector([{ job: 'agentx' }, '0.2'], [{ job: 'rag' }, '0.01']));
    const file = writeConfig([
      source('prom', prom.url, [
        { fact: 'ollama.avgResponseTimeMs', query: 'lat' },
        { fact: 'services.*.errorRate', query: 'errs', by: 'job' },
      ]),
    ]);
    const r = await cli(['sources', 'test', file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('source prom: 2/2 queries answered');
    expect(r.stdout).toMatch(/services\.\*\.errorRate\s+ok\s+2\s+0/);
    expect(r.stdout).toContain('"avgResponseTimeMs": 6100');

    const j = await cli(['sources', 'test', file, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject([
      {
        source: 'prom',
        snapshots: [{ source: 'prom', metrics: { ollama: { avgResponseTimeMs: 6100 }, services: { agentx: { errorRate: 0.2 }, rag: { errorRate: 0.01 } } }, refused: null }],
      },
    ]);
    // Nothing is ingested anywhere: the command only asked Prometheus.
    expect(prom.requests.map((q) => q.query).sort()).toEqual(['errs', 'errs', 'lat', 'lat']);
  });

  it('exits 1 when a query fails, naming it, and still prints what the others give', async () => {
    prom.set('lat', vector([{}, '6100']));
    prom.set('bad(', { error: 'parse error', errorType: 'bad_data' });
    const r = await cli(['sources', 'test', writeConfig([source('prom', prom.url, [{ fact: 'a', query: 'lat' }, { fact: 'b', query: 'bad(' }])])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/b\s+query_error: bad_data: parse error/);
    expect(r.stdout).toContain('"a": 6100');
  });

  it('exits 4 when a source gives no answer at all, and 2 for a bad configuration or an unknown source', async () => {
    const url = prom.url;
    await prom.close();
    prom = await FakePrometheus.start();
    const down = await cli(['sources', 'test', writeConfig([source('gone', url, [{ fact: 'a', query: 'up' }])])]);
    expect(down.code).toBe(4);
    expect(down.stdout).toMatch(/a\s+unreachable: .*ECONNREFUSED/);

    const bad = await cli(['sources', 'test', writeConfig([source('prom', prom.url, [{ fact: 'a', query: 'up', by: 'x', splitBy: 'x' }])])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid configuration: sources.prometheus.0.queries.0.by: by and splitBy cannot be used together');

    const none = await cli(['sources', 'test', writeConfig([])]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('configures no sources.prometheus') });
    const unknown = await cli(['sources', 'test', writeConfig([source('prom', prom.url, [{ fact: 'a', query: 'up' }])]), '--source', 'other']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('no source named "other"') });
    const missing = await cli(['sources', 'test', path.join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('CONFIG_FILE: cannot read') });
  });
});
