import type { Page } from 'playwright-core';
import request from 'supertest';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole } from '../helpers/browser';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * Live refresh as a person meets it: each page that follows the event stream still does after one
 * went elsewhere and came back, refreshes once per change however often it was visited, and stops
 * once left; and a write the service refuses says why on the page.
 */
jest.setTimeout(120_000);

const fires = (fact: string) => ({ all: [{ fact, operator: 'equal', value: true }] });
const PAGES = ['overview', 'history', 'stats', 'alerts', 'approvals'] as const;

describeInChromium('live refresh in the console', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  const requested: string[] = [];

  const ingest = async (fact: string) => {
    const res = await request(t.app).post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ [fact]: true }));
    expect(res.status).toBe(200);
    return res.body as { decisions: { rule: string; actionId?: string }[] };
  };
  const open = async (name: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
    await currentViewShown(page);
  };
  /** How many requests whose path and query start with `prefix` the page made since `from`. */
  const countSince = (from: number, prefix: string) => requested.slice(from).filter((u) => u.startsWith(prefix)).length;
  const settle = () => page.waitForTimeout(1200);

  beforeAll(async () => {
    t = await buildTestApp({
      rules: rulesDoc(
        ...PAGES.map((p) => rule(`on-${p}`, { conditions: fires(p), cooldownMinutes: 0, requiresApproval: p === 'approvals', severity: 'info' })),
        rule('on-action', { conditions: fires('action'), cooldownMinutes: 0, requiresApproval: true, action: { type: 'throttle', params: { factor: 0.5 } } }),
      ),
      config: { auth: { apiKeys: API_KEYS }, console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } } },
    });
    session = await openConsole(t, chromium, { signInAs: KEYS.admin });
    page = session.page;
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (req.method() === 'GET' && url.pathname.startsWith('/api/self-healing/')) requested.push(url.pathname + url.search);
    });
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it.each([
    ['overview', 'Overview', () => page.locator('#ov-last').locator('..').getByRole('link', { name: 'on-overview' })],
    ['history', 'History', () => page.getByRole('table', { name: 'Actions' }).getByText('on-history')],
    ['stats', 'Statistics', () => page.getByRole('table', { name: 'Statistics by rule' }).getByText('on-stats')],
    ['alerts', 'Alerts', () => page.getByRole('table', { name: 'Alerts' }).getByText('on-alerts fired')],
    ['approvals', 'Approvals', () => page.getByRole('heading', { name: /^on-approvals/, level: 2 })],
  ] as const)('%s follows a new action live after going elsewhere and coming back', async (fact, name, shown) => {
    await open(name);
    await open('Prompts');
    await open(name);
    expect(await shown().count()).toBe(0);
    await ingest(fact);
    await shown().first().waitFor();
  });

  it('refreshes the history once per change however often it was visited, and not at all once left', async () => {
    for (let i = 0; i < 3; i += 1) {
      await open('History');
      await open('Overview');
    }
    await open('History');
    await settle();
    const rows = page.getByRole('table', { name: 'Actions' }).getByText('on-history', { exact: true });
    const before = await rows.count();
    let from = requested.length;
    await ingest('history');
    await rows.nth(before).waitFor();
    await settle();
    expect(countSince(from, '/api/self-healing/actions?limit=25')).toBe(1);

    // Left while its refresh waits (the event is in: the console announced it): the refresh never comes.
    await ingest('overview');
    await page.locator('#announcer').getByText('on-overview: succeeded').waitFor();
    await open('Prompts');
    from = requested.length;
    await settle();
    expect(countSince(from, '/api/self-healing/actions?limit=25')).toBe(0);
  });

  it('refreshes the statistics once per change however often they were visited, and not at all once left', async () => {
    for (let i = 0; i < 3; i += 1) {
      await open('Statistics');
      await open('Overview');
    }
    await open('Statistics');
    await settle();
    let from = requested.length;
    await ingest('stats');
    const stats = await request(t.app).get('/api/self-healing/stats?window=24h').set(...bearer(KEYS.viewer));
    const dispatched = stats.body.rules.find((r: { rule: string }) => r.rule === 'on-stats').dispatched as number;
    await page.getByRole('table', { name: 'Statistics by rule' }).getByRole('row', { name: new RegExp(`on-stats\\s+${dispatched}\\b`) }).waitFor();
    await settle();
    expect(countSince(from, '/api/self-healing/stats?')).toBe(1);

    // Left while its refresh waits (the event is in: the console announced it): the refresh never comes.
    await ingest('overview');
    await page.locator('#announcer').getByText('on-overview: succeeded').waitFor();
    await open('Prompts');
    from = requested.length;
    await settle();
    expect(countSince(from, '/api/self-healing/stats?')).toBe(0);
  });

  it('follows an action\'s outcome on its page after going elsewhere and coming back', async () => {
    const { decisions } = await ingest('action');
    const id = decisions.find((d) => d.rule === 'on-action')!.actionId!;
    await page.goto(`${session.url}/console/#/actions/${id}`);
    await currentViewShown(page);
    await page.getByText('pending_approval', { exact: true }).first().waitFor();
    await open('Prompts');
    await page.goBack();
    await currentViewShown(page);
    const approved = await request(t.app).post(`/api/self-healing/actions/${id}/approve`).set(...bearer(KEYS.approver)).send({ by: 'ap' });
    expect(approved.status).toBe(200);
    await page.locator('main .badge.succeeded').first().waitFor();
  });

  it('shows the service\'s refusal when an alert was acknowledged elsewhere first', async () => {
    await ingest('alerts');
    await open('Alerts');
    const buttons = page.getByRole('button', { name: /^Acknowledge on-alerts/ });
    await buttons.first().waitFor();
    const before = await buttons.count();
    const open_ = await request(t.app).get('/api/self-healing/alerts?rule=on-alerts&acknowledged=false').set(...bearer(KEYS.viewer));
    const newest = open_.body.items[0];
    expect((await request(t.app).post(`/api/self-healing/alerts/${newest.id}/ack`).set(...bearer(KEYS.operator)).send({ by: 'op' })).status).toBe(200);
    await page.getByRole('button', { name: `Acknowledge on-alerts: ${newest.message}` }).first().click();
    await page.getByRole('alert').getByText(/Already acknowledged: someone else got there first/).waitFor();
    // The list is read again: the alert acknowledged elsewhere is no longer open.
    await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('main button[aria-label^="Acknowledge on-alerts"]').length === n, before - 1);
  });
});
