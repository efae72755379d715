import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { FakeModelHost } from '../helpers/fake-model-host';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The failover card in a real Chromium: the probes of the primary drawn as a chart with their
 * latency, the healthy streak and when the failback will happen; then the failback itself, and the
 * action pages linking the failover and its failback. Model hosts are real HTTP servers on
 * 127.0.0.1; failback rounds are run by hand on the service's manual clock.
 */
jest.setTimeout(120_000);

describeInChromium('the failover card and its failback', (chromium) => {
  let t: TestApp;
  let primary: FakeModelHost;
  let secondary: FakeModelHost;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;

  const go = async (hash: string) => {
    await page.goto(`${session.url}/console/#/${hash}`);
    await currentViewShown(page);
  };

  beforeAll(async () => {
    primary = await FakeModelHost.start();
    secondary = await FakeModelHost.start();
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('slow-primary', {
          severity: 'critical',
          conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
          action: { type: 'model_failover', params: { target: 'secondary' } },
          cooldownMinutes: 120,
          verify: { windowMinutes: 1, onIneffective: 'none' },
        }),
      ),
      config: {
        auth: { apiKeys: API_KEYS },
        modelHosts: {
          primary: primary.url,
          secondary: secondary.url,
          timeoutMs: 1000,
          failback: { probeIntervalSeconds: 3600, healthyProbes: 3, minHoldSeconds: 300 },
        },
      },
    });
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { viewport: { width: 1100, height: 900 }, signInAs: KEYS.admin });
    page = session.page;
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));
  afterAll(async () => {
    await primary?.close();
    await secondary?.close();
  });

  it('shows the probes as a chart with their latency, the streak and the failback time, then links failover and failback', async () => {
    await primary.setMode('down');
    const ingest = await request(t.app)
      .post('/api/metrics?wait=true')
      .set(...bearer(KEYS.operator))
      .send(snapshot({ ollama: { avgResponseTimeMs: 9000 } }, 'agentx'));
    expect(ingest.status).toBe(200);
    const failoverId = ingest.body.decisions[0].actionId as string;
    await t.services.failback.run();
    await primary.setMode('healthy');
    await t.services.failback.run();
    await t.services.failback.run();

    await go('overview');
    const card = page.getByRole('region', { name: 'Model failover' });
    const chart = card.getByRole('img', { name: /Last 3 probes of the primary: 2 healthy/ });
    await chart.waitFor();
    expect(await chart.locator('rect[data-ok="true"]').count()).toBe(2);
    expect(await chart.locator('rect[data-ok="false"]').count()).toBe(1);
    // Each bar says what it stands for, its latency included.
    expect(await chart.locator('rect[data-ok="false"] title').textContent()).toMatch(/unhealthy, connection refused, [\d.]+ ms/);
    expect(await card.locator('#failback-streak').textContent()).toBe('2 of 3');
    const router = (await request(t.app).get('/api/health/router').set(...bearer(KEYS.viewer))).body;
    expect(await card.locator('#failback-at').textContent()).toContain('if the primary stays healthy');
    // One healthy probe short: due one probe interval (an hour here) after the last probe.
    expect(router.failbackAt).toBe(new Date(Date.parse(router.probes.at(-1).at) + 3_600_000).toISOString());
    await card.getByText(/1 more healthy probe of the primary/).waitFor();
    await card.getByRole('link', { name: failoverId }).waitFor();
    await page.screenshot({ path: path.join(shots, 'overview-failback-probes.png'), fullPage: true });

    // The hold passes and the streak completes: the failback runs, and the card shows the primary.
    t.clock.advance(300_000);
    await t.services.failback.run();
    await go('overview');
    await card.locator(`.url[title="${primary.url}"]`).waitFor();
    expect(await card.locator('strong').first().textContent()).toBe('primary');
    expect(await card.getByRole('img').count()).toBe(0);

    const failbacks = (await request(t.app).get(`/api/self-healing/actions?failbackOf=${failoverId}`).set(...bearer(KEYS.viewer))).body.items;
    expect(failbacks).toHaveLength(1);
    await go(`actions/${failoverId}`);
    await page.locator('.link-failback').getByRole('link', { name: /the failback of/ }).click();
    await page.waitForURL(`**/#/actions/${failbacks[0].id}`);
    await currentViewShown(page);
    await page.locator('.link-failback').getByText(/Automatic failback to the primary/).waitFor();
    await page.screenshot({ path: path.join(shots, 'action-failback.png'), fullPage: true });
    await page.locator('.link-failback').getByRole('link', { name: 'the failover' }).click();
    await page.waitForURL(`**/#/actions/${failoverId}`);
  });
});
