import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_RULES_FILE, makeTempDir } from '../helpers/test-app';
import { APP, EngineUnderPm2, SteadyLoad, describeFailures } from '../helpers/pm2-load';

jest.setTimeout(180_000);

/**
 * `pm2 reload` of the shipped cluster entry (ecosystem.config.js: two workers on one port,
 * wait_ready) under four steady clients: every request gets its answer. The new worker says
 * 'ready' before the old one is stopped; the old one stops listening, answers what still comes on
 * its open keep-alive sockets with `Connection: close`, and finishes what is in flight before it
 * exits. The chaos suite (tests/chaos/pm2-reload.chaos.test.ts) does 20 in a row on both stores.
 */
describe('pm2 reload under load', () => {
  const pm2 = new EngineUnderPm2();
  const dir = makeTempDir('shre-reload-');
  let load: SteadyLoad | null = null;

  afterAll(async () => {
    await load?.stop();
    await pm2.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request while both workers are replaced', async () => {
    const rulesFile = path.join(dir, 'rules.json');
    fs.copyFileSync(DEFAULT_RULES_FILE, rulesFile);
    await pm2.startEntry('cluster', dir, {
      STORE: 'sqlite',
      SQLITE_PATH: path.join(dir, 'store.db'),
      RULES_FILE: rulesFile,
      RULES_WATCH: 'false',
    });
    const pidsBefore = await pm2.pids();
    expect(pidsBefore).toHaveLength(2);

    load = new SteadyLoad(pm2.url);
    await load.answeredMore(200);
    const beforeReload = load.answered;
    await pm2.cli('reload', APP);
    const afterReload = load.answered;
    // Keep the load on while the replaced workers finish draining.
    await load.answeredMore(200);
    await load.stop();

    const pidsAfter = await pm2.pids();
    expect(pidsAfter).toHaveLength(2);
    expect(pidsAfter.filter((p) => pidsBefore.includes(p))).toEqual([]);
    process.stdout.write(`pm2 reload under 4 clients: ${load.answered} answered (${afterReload - beforeReload} during the reload), ${load.failures.length} failed\n`);
    expect(describeFailures(load.failures)).toBe('');
    expect(afterReload - beforeReload).toBeGreaterThan(0);
  });
});
