import path from 'node:path';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/clock';
import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { FakePrometheus } from '../helpers/fake-prometheus';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The Sources page in a real Chromium against the real API: a source whose queries answer shows
 * ok with its last snapshot; when one query fails, the page shows which and why; when the source
 * has gone stale, it says so. The pulls are run by the test (pullAll), on a manual clock.
 */
jest.setTimeout(120_000);

const { vector } = FakePrometheus;

describeInChromium('the Sources page of the console', (chromium) => {
  let t: TestApp;
  let prom: FakePrometheus;
  let session: ConsoleSession;
  let page: Page;

  beforeAll(async () => {
    prom = await FakePrometheus.start();
    prom.set('max(queue_waiting)', vector([{}, '42']));
    prom.set('sum(cost)', vector([{}, '3.5']));
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('queue', {
          conditions: { all: [{ fact: 'queue', path: '$.waiting', operator: 'greaterThan', value: 500 }] },
          verify: { windowMinutes: 5, onIneffective: 'none', prometheus: { query: 'max(queue_waiting)', operator: 'lessThan', value: 500 } },
        }),
      ),
      config: {
        auth: { apiKeys: API_KEYS },
        // The lease outlasts the clock moves below, so this instance stays the puller.
        cluster: { leaseTtlMs: 600_000, leaseRenewMs: 300_000 },
        sources: {
          staleAfterSeconds: 60,
          maxBackoffSeconds: 3600,
          prometheus: [
            {
              name: 'prom-main',
              url: prom.url,
              intervalSeconds: 3600,
              timeoutMs: 1000,
              queries: [
                { fact: 'queue.waiting', query: 'max(queue_waiting)' },
                { fact: 'costPerHour', query: 'sum(cost)' },
              ],
            },
          ],
        },
      },
    });
    await t.services.sources.pullAll();
    // A viewer key is enough for the page.
    session = await openConsole(t, chromium, { expectedStatuses: [401, 403], signInAs: KEYS.viewer });
    page = session.page;
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));
  afterAll(async () => {
    await prom?.close();
  });

  const sourceSection = () => page.locator('section[data-source="prom-main"]');

  it('is in the navigation and shows the source ok, with its queries and last snapshot', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Sources' }).click();
    await page.waitForURL(/#\/sources$/);
    await currentViewShown(page);
    await page.getByRole('heading', { name: 'Sources', level: 1 }).waitFor();
    await page.getByText('This instance runs the queries').waitFor();
    const section = sourceSection();
    await section.getByRole('heading', { name: /prom-main\s+ok/ }).waitFor();
    await section.getByRole('cell', { name: 'queue.waiting' }).waitFor();
    await section.getByText(/"waiting": 42/).waitFor();
    await section.getByText(/"costPerHour": 3.5/).waitFor();
    await section.getByText(/stored as /).waitFor();
    await page.screenshot({ path: path.join(screenshotDir(t.dir), 'sources.png'), fullPage: true });
  });

  it('shows which query fails and why, and that the source went stale', async () => {
    prom.set('sum(cost)', { error: 'unknown function cost_x', errorType: 'bad_data' });
    t.clock.advance(61_000);
    await t.services.sources.pullAll();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Sources' }).click();
    await currentViewShown(page);
    const section = sourceSection();
    await section.getByRole('heading', { name: /prom-main\s+some queries fail/ }).waitFor();
    await section.getByText('query_error: bad_data: unknown function cost_x').waitFor();
    await section.getByRole('alert').getByText(/^Stale/).waitFor();
    // The snapshot still carries the fact whose query answered.
    await section.getByText(/"waiting": 42/).waitFor();
    expect(await section.getByText(/"costPerHour"/).count()).toBe(0);
  });

  it("keeps a rule's Prometheus check when its verification window is edited in the rule editor", async () => {
    const admin = await (await session.browser.newContext({ viewport: { width: 1100, height: 820 } })).newPage();
    admin.on('pageerror', (err) => session.errors.push(err.message));
    await admin.goto(`${session.url}/console/`);
    await admin.getByLabel('API key').fill(KEYS.admin);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await admin.goto(`${session.url}/console/#/rules/queue`);
    await admin.getByRole('heading', { name: 'Rule: queue' }).waitFor();
    await admin.getByLabel('Verification window (minutes)').fill('8');
    await admin.getByRole('button', { name: 'Review changes' }).click();
    await admin.getByRole('region', { name: /Changes to this rule/ }).getByText('"windowMinutes": 8').waitFor();
    await admin.getByRole('button', { name: 'Save rule' }).click();
    await admin.getByText(/^Saved\./).waitFor();
    const saved = await request(t.app).get('/api/self-healing/rules/queue').set(...bearer(KEYS.viewer));
    expect(saved.body.rule.verify).toEqual({
      windowMinutes: 8,
      onIneffective: 'none',
      prometheus: { query: 'max(queue_waiting)', operator: 'lessThan', value: 500 },
    });
    await admin.context().close();
  });
});
