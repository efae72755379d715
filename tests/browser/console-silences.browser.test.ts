import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The Silences page in a real Chromium against the real API, as an operator: a silence created from
 * a rule's page (its matcher filled in), a recurring one, bad input shown at its field, the decisions
 * `silenced` and `inhibited` in Simulate, the Overview's active silences, one created elsewhere
 * appearing live, and expiring (with the refusal when someone expired it first).
 */
jest.setTimeout(120_000);

const HOUR = 3_600_000;

describeInChromium('silences in the console', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;

  const open = async (name: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
    await currentViewShown(page);
  };
  const current = () => page.getByRole('table', { name: 'Silences in force or coming' });
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('disk-full', { conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] }, severity: 'warning' }),
        rule('outage-alert', {
          priority: 90,
          conditions: { all: [{ fact: 'outage', operator: 'equal', value: true }] },
          inhibits: { rules: ['queue-throttle'] },
        }),
        rule('queue-throttle', {
          priority: 10,
          conditions: { all: [{ fact: 'outage', operator: 'equal', value: true }] },
          action: { type: 'throttle', params: { factor: 0.5 } },
        }),
      ),
      config: { auth: { apiKeys: API_KEYS }, console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } } },
    });
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { timezoneId: 'Europe/Berlin', expectedStatuses: [400, 401, 403, 409], signInAs: KEYS.operator });
    page = session.page;
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('creates a silence from a rule\'s page, its matcher filled in', async () => {
    await open('Rules');
    await page.getByRole('link', { name: 'disk-full', exact: true }).click();
    await currentViewShown(page);
    await page.getByRole('link', { name: 'Create a silence for this rule' }).click();
    await currentViewShown(page);
    await page.getByRole('heading', { name: 'New silence' }).waitFor();
    expect(await page.getByLabel('Rule', { exact: true }).inputValue()).toBe('disk-full');
    await page.getByLabel('Comment (why)').fill('disk swap on the edge hosts');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('status').getByText(/Silence created: rule = disk-full until/).waitFor();
    await current().getByRole('row', { name: /rule = disk-full.*in force.*disk swap on the edge hosts.*op/ }).waitFor();
    const listed = await request(t.app).get('/api/self-healing/silences?state=active').set(...bearer(KEYS.viewer));
    expect(listed.body.items).toEqual([expect.objectContaining({ matchers: { rule: 'disk-full' }, comment: 'disk swap on the edge hosts', createdBy: 'op', inForce: true, schedule: null })]);
  });

  it('shows what the service refuses at the field it names, and creates nothing', async () => {
    await page.getByLabel('Source', { exact: false }).first().fill('(a+)+');
    await page.getByLabel('regular expression').nth(3).check();
    await page.getByLabel('Comment (why)').fill('bad regex');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('alert').getByText(/Not created/).waitFor();
    await page.locator('#silence-source-error').getByText(/regex|repeat/i).waitFor();
    expect(await page.locator('#silence-source').getAttribute('aria-invalid')).toBe('true');
    const listed = await request(t.app).get('/api/self-healing/silences').set(...bearer(KEYS.viewer));
    expect(listed.body.items).toHaveLength(1);
  });

  it('creates a recurring silence: weekdays, a nightly range, a time zone', async () => {
    await page.goto(`${session.url}/console/#/silences?source=edge-1`);
    await currentViewShown(page);
    await page.getByLabel('Comment (why)').fill('nightly backups');
    await page.getByLabel('Recurring (a weekly schedule)').check();
    await page.getByLabel('Time zone (IANA name)').fill('Europe/Berlin');
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri']) await page.getByLabel(d, { exact: true }).check();
    await page.getByLabel('From (HH:MM)').fill('22:00');
    await page.getByLabel('To (HH:MM; 24:00 is midnight)').fill('06:00');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('status').getByText(/Silence created: source = edge-1/).waitFor();
    await current().getByRole('row', { name: /source = edge-1.*mon, tue, wed, thu, fri, 22:00–06:00 \(Europe\/Berlin\)/ }).waitFor();
    const listed = await request(t.app).get('/api/self-healing/silences').set(...bearer(KEYS.viewer));
    expect(listed.body.items[0]).toMatchObject({ matchers: { source: 'edge-1' }, schedule: { timeZone: 'Europe/Berlin', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], times: { start: '22:00', end: '06:00' } } });
  });

  it('shows a silence created elsewhere without a reload', async () => {
    const made = await request(t.app).post('/api/self-healing/silences').set(...bearer(KEYS.admin))
      .send({ matchers: { type: 'throttle', severity: { regex: 'crit.*' } }, endsAt: new Date(Date.now() + 3 * HOUR).toISOString(), comment: 'load test' });
    expect(made.status).toBe(201);
    await current().getByRole('row', { name: /type = throttle, severity ~ \/crit\.\*\/.*load test.*ad/ }).waitFor();
    await shot('silences');
  });

  it('shows silenced and inhibited decisions in Simulate, each naming what holds the rule back', async () => {
    await open('Simulate');
    await page.getByLabel('Snapshot (JSON)').fill(JSON.stringify({ source: 'edge-2', timestamp: new Date().toISOString(), metrics: { diskPercent: 95, outage: true } }));
    await page.getByRole('button', { name: 'Simulate' }).click();
    const decisions = page.getByRole('table', { name: 'Simulated decisions' });
    const diskRow = decisions.getByRole('row', { name: /disk-full/ });
    await diskRow.getByText('silenced', { exact: true }).waitFor();
    await diskRow.getByRole('link', { name: 'a silence' }).waitFor();
    const throttleRow = decisions.getByRole('row', { name: /queue-throttle/ });
    await throttleRow.getByText('inhibited', { exact: true }).waitFor();
    await throttleRow.getByRole('link', { name: 'outage-alert' }).waitFor();
    await decisions.getByRole('row', { name: /outage-alert/ }).getByText('execute', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Simulated decisions' }).screenshot({ path: path.join(shots, 'simulate-silenced-inhibited.png') });
    // The silence a decision names is one click away.
    await diskRow.getByRole('link', { name: 'a silence' }).click();
    await currentViewShown(page);
    await page.getByRole('heading', { name: 'Silence', level: 1 }).waitFor();
    await page.getByText('rule = disk-full').waitFor();
  });

  it('lists the active silences on the Overview', async () => {
    await open('Overview');
    const section = page.locator('section', { has: page.getByRole('heading', { name: /^Active silences \(3\)/ }) });
    await section.getByRole('link', { name: 'rule = disk-full' }).waitFor();
    await section.getByRole('link', { name: 'source = edge-1' }).waitFor();
    await section.getByText(/22:00–06:00 \(Europe\/Berlin\)/).waitFor();
    await section.screenshot({ path: path.join(shots, 'overview-silences.png') });
  });

  it('expires a silence, and says so when someone expired it first', async () => {
    await open('Silences');
    await current().getByRole('button', { name: 'Expire silence rule = disk-full' }).click();
    await page.getByRole('status').getByText('Silence rule = disk-full expired.').waitFor();
    await page.getByRole('table', { name: 'Expired silences' }).getByRole('row', { name: /rule = disk-full.*expired by op/ }).waitFor();

    // Without the live stream (a dropped connection), the page cannot know; the click reaches the service and its 409 is shown.
    const listed = await request(t.app).get('/api/self-healing/silences?state=active').set(...bearer(KEYS.viewer));
    const edge = listed.body.items.find((s: { matchers: { source?: string } }) => s.matchers.source === 'edge-1');
    await page.route('**/api/events', (route) => route.abort());
    await page.goto(`${session.url}/console/#/silences/${edge.id}`);
    await page.reload();
    await currentViewShown(page);
    expect((await request(t.app).delete(`/api/self-healing/silences/${edge.id}`).set(...bearer(KEYS.admin))).status).toBe(200);
    await page.getByRole('button', { name: 'Expire silence source = edge-1' }).click();
    await page.getByRole('alert').getByText(/Already over: the silence had ended or someone expired it/).waitFor();
    // Read again after the refusal: expired, by whom.
    await page.locator('main').getByText(/by ad/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Expire silence source = edge-1' }).count()).toBe(0);
    await page.unroute('**/api/events');
    await page.reload();
    await currentViewShown(page);
  });
});
