import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The Incidents page in a real Chromium against the real API (an operator; its own service on a
 * manual clock): one outage snapshot opens one incident, seen live in the list and on the Overview;
 * its timeline holds the decisions with their reasons (one inhibited, naming the rule that holds it
 * back), the action, its alert, an approval made elsewhere (live) and the resolution; the incident
 * leads to a silence with its source filled in, and its action links back to it.
 */
jest.setTimeout(120_000);

const outage = { all: [{ fact: 'outage', operator: 'equal', value: true }] };

describeInChromium('incidents in the console', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;
  let incidentId: string;

  const open = async (name: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
    await currentViewShown(page);
  };
  const ingest = async (metrics: Record<string, unknown>) => {
    const res = await request(t.app).post('/api/metrics?wait=true').set(...bearer(KEYS.operator))
      .send({ source: 'agentx', timestamp: t.clock.now().toISOString(), metrics });
    expect(res.status).toBe(200);
    return res.body as { decisions: { rule: string; decision: string; actionId?: string }[] };
  };
  const timeline = () => page.getByRole('list', { name: 'Timeline' });

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('outage-alert', { priority: 90, conditions: outage, cooldownMinutes: 0, severity: 'critical', inhibits: { rules: ['queue-throttle'] } }),
        rule('page-oncall', { priority: 50, conditions: outage, cooldownMinutes: 0, requiresApproval: true }),
        rule('queue-throttle', { priority: 10, conditions: outage, cooldownMinutes: 0, action: { type: 'throttle', params: { factor: 0.5 } } }),
      ),
      config: { auth: { apiKeys: API_KEYS }, console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } } },
    });
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { signInAs: KEYS.operator });
    page = session.page;
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('lists an incident opened by an outage snapshot, live, and shows it on the Overview', async () => {
    await open('Incidents');
    await page.getByText('No incident.').waitFor();
    const { decisions } = await ingest({ outage: true });
    expect(decisions.map((d) => [d.rule, d.decision])).toEqual([['outage-alert', 'execute'], ['page-oncall', 'require_approval'], ['queue-throttle', 'inhibited']]);
    const row = page.getByRole('table', { name: 'Incidents' }).getByRole('row', { name: /source=agentx\s+open/ });
    await row.waitFor();
    const listed = await request(t.app).get('/api/self-healing/incidents?state=open').set(...bearer(KEYS.viewer));
    expect(listed.body.items).toHaveLength(1);
    incidentId = listed.body.items[0].id;

    await open('Overview');
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Open incidents (1)' }) });
    await section.getByRole('link', { name: 'source=agentx' }).waitFor();
  });

  it('shows the timeline: decisions with their reasons, the inhibited one naming its inhibitor, the action and its alert', async () => {
    await page.locator('section', { has: page.getByRole('heading', { name: 'Open incidents (1)' }) }).getByRole('link', { name: 'source=agentx' }).click();
    await currentViewShown(page);
    await page.getByRole('heading', { name: 'Incident: source=agentx', level: 1 }).waitFor();
    const moments = timeline().getByRole('listitem');
    await moments.filter({ hasText: /^.*opened.*opened for source=agentx/ }).waitFor();
    const inhibited = moments.filter({ hasText: 'queue-throttle' }).filter({ hasText: 'inhibited' });
    await inhibited.getByRole('link', { name: 'outage-alert' }).waitFor();
    await moments.filter({ hasText: 'page-oncall' }).filter({ hasText: 'require_approval' }).waitFor();
    await timeline().locator('li[data-kind="succeeded"]').filter({ hasText: 'outage-alert' }).waitFor();
    await timeline().locator('li[data-kind="alert"]').filter({ hasText: 'outage-alert fired' }).waitFor();
    const decisions = page.getByRole('table', { name: 'Decisions of the incident' });
    await decisions.getByRole('row', { name: /queue-throttle.*inhibited by outage-alert/ }).waitFor();
    await page.getByRole('table', { name: 'Alerts of the incident' }).getByText('outage-alert fired').waitFor();
  });

  it('adds an approval made elsewhere and the resolution to the timeline without a reload', async () => {
    const pending = await request(t.app).get('/api/self-healing/actions?status=pending_approval').set(...bearer(KEYS.viewer));
    const ask = pending.body.items.find((a: { rule: string }) => a.rule === 'page-oncall');
    expect(ask.incidentId).toBe(incidentId);
    expect((await request(t.app).post(`/api/self-healing/actions/${ask.id}/approve`).set(...bearer(KEYS.approver)).send({ by: 'ap' })).status).toBe(200);
    await timeline().locator('li[data-kind="approved"]').filter({ hasText: 'approved by ap' }).waitFor();
    await page.getByRole('table', { name: 'Actions of the incident' }).getByRole('row', { name: /page-oncall.*succeeded.*ap/ }).waitFor();

    // The outage is over: the next snapshot matches none of its rules, and the periodic work resolves it.
    t.clock.advance(60_000);
    await ingest({ outage: false });
    await t.services.incidents.sweep();
    await page.getByText(/resolved.*\(its rules stopped matching\)/).first().waitFor();
    await timeline().locator('li[data-kind="resolved"]').waitFor();
    await page.screenshot({ path: path.join(shots, 'incident.png'), fullPage: true });
  });

  it('lists it resolved, leads to a silence for its source, and its action links back to it', async () => {
    await open('Incidents');
    await page.getByRole('table', { name: 'Incidents' }).getByRole('row', { name: /source=agentx\s+resolved/ }).waitFor();
    await page.screenshot({ path: path.join(shots, 'incidents.png') });

    await page.getByRole('link', { name: 'source=agentx' }).click();
    await currentViewShown(page);
    await page.getByRole('link', { name: 'Create a silence for this incident' }).click();
    await currentViewShown(page);
    expect(await page.getByLabel('Source', { exact: false }).first().inputValue()).toBe('agentx');

    const actions = await request(t.app).get(`/api/self-healing/actions?incidentId=${incidentId}`).set(...bearer(KEYS.viewer));
    await page.goto(`${session.url}/console/#/actions/${actions.body.items[0].id}`);
    await currentViewShown(page);
    await page.getByRole('link', { name: 'an incident' }).click();
    await currentViewShown(page);
    await page.getByRole('heading', { name: 'Incident: source=agentx', level: 1 }).waitFor();
  });
});
