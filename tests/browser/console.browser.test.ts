import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir, signIn } from '../helpers/browser';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The console in a real Chromium, driven as a person would: one browser and one service for the
 * whole file. Without a chromium the file says so and the rest of the suite runs.
 */
jest.setTimeout(120_000);

const fact = (name: string) => ({ all: [{ fact: name, operator: 'equal', value: true }] });

describeInChromium('the console in Chromium', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;

  const api = () => request(t.app);
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });
  const go = async (hash: string) => {
    await page.goto(`${session.url}/console/#/${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  };
  const card = (rule: string) => page.locator('article', { has: page.getByRole('heading', { name: new RegExp(`^${rule}\\b`), level: 2 }) });

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('gated-alert', { conditions: fact('needsApproval'), requiresApproval: true, cooldownMinutes: 0, severity: 'critical' }),
        rule('gated-throttle', { conditions: fact('needsThrottle'), requiresApproval: true, cooldownMinutes: 0, action: { type: 'throttle', params: { factor: 0.5 } } }),
        rule('noisy', { cooldownMinutes: 0, severity: 'info' }),
        rule('disk-full', { conditions: { all: [{ fact: 'diskPercent', operator: 'greaterThan', value: 90 }] }, cooldownMinutes: 5 }),
      ),
      config: {
        auth: { apiKeys: API_KEYS, fourEyes: ['alert_only'] },
        console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } },
      },
    });
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { expectedStatuses: [400, 401, 403, 409, 412] });
    page = session.page;
    // The service refuses a write that is not JSON (a cross-site form could send it): the console's every write says JSON.
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/api/') && !['GET', 'HEAD'].includes(req.method()) && req.headers()['content-type'] !== 'application/json') {
        session.errors.push(`${req.method()} ${req.url()} sent Content-Type ${req.headers()['content-type'] ?? '(none)'}`);
      }
    });
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('asks for an API key, refuses a wrong one, and signs in with a right one', async () => {
    await page.goto(`${session.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That API key is not valid.' }).waitFor();
    await page.getByLabel('API key').fill(KEYS.approver);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText('ap · approver').waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'shre_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
  });

  it('shows new approvals live, runs an approved action, and records a rejection', async () => {
    await go('approvals');
    await page.getByText('Nothing waits for approval.').waitFor();
    const ingest = await api().post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ needsApproval: true, needsThrottle: true, errorRate: 0.2, diskPercent: 95 }));
    expect(ingest.status).toBe(200);
    // No reload: the cards arrive through the event stream.
    await card('gated-throttle').waitFor();
    await card('gated-alert').waitFor();
    await expect(card('gated-throttle').getByText('"factor": 0.5')).toBeTruthy();
    await card('gated-throttle').getByText('ingest:test').waitFor();
    await shot('approvals');

    await card('gated-throttle').getByRole('button', { name: /^Approve/ }).click();
    await card('gated-throttle').getByRole('status').getByText('succeeded').waitFor();
    expect((await api().get('/api/self-healing/throttle').set(...bearer(KEYS.viewer))).body.active).toBe(true);

    await card('gated-alert').getByLabel('Comment (optional)').fill('not at night');
    await card('gated-alert').getByRole('button', { name: /^Reject/ }).click();
    await card('gated-alert').getByRole('status').getByText('rejected').waitFor();
    const rejected = await api().get('/api/self-healing/actions?status=rejected').set(...bearer(KEYS.viewer));
    expect(rejected.body.items[0]).toMatchObject({ rule: 'gated-alert', decidedBy: 'ap', decisionComment: 'not at night' });
  });

  it('shows the four-eyes refusal when the requester tries to approve', async () => {
    await go('approvals');
    const triggered = await api().post('/api/self-healing/rules/gated-alert/trigger').set(...bearer(KEYS.approver)).send({});
    expect(triggered.status).toBe(200);
    const mine = page.locator(`article[data-action-id="${triggered.body.decisions[0].actionId}"]`);
    await mine.getByText('ap', { exact: true }).waitFor();
    await mine.getByRole('button', { name: /^Approve/ }).click();
    await mine.getByRole('alert').getByText(/Four eyes/).waitFor();
    const still = await api().get('/api/self-healing/actions?status=pending_approval').set(...bearer(KEYS.viewer));
    expect(still.body.items.map((a: { rule: string }) => a.rule)).toEqual(['gated-alert']);
  });

  it('shows an approval decided elsewhere, live, and the service\'s refusal when the click races it', async () => {
    await go('approvals');
    const second = await api().post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ needsThrottle: true }, 'second'));
    const firstId = second.body.decisions.find((d: { rule: string }) => d.rule === 'gated-throttle').actionId as string;
    const first = page.locator(`article[data-action-id="${firstId}"]`);
    await first.waitFor();
    // Someone is typing a comment on the older approval (the four-eyes one), below the new one.
    const pending = await api().get('/api/self-healing/actions?status=pending_approval').set(...bearer(KEYS.viewer));
    const olderId = pending.body.items.find((a: { rule: string }) => a.rule === 'gated-alert').id as string;
    const older = page.locator(`article[data-action-id="${olderId}"]`).getByLabel('Comment (optional)');
    await older.focus();
    await page.keyboard.type('half ');
    // Another approver rejects it: the card says so by itself and offers no button any more.
    await api().post(`/api/self-healing/actions/${firstId}/reject`).set(...bearer(KEYS.approver2)).send({ by: 'other' }).expect(200);
    await first.getByText(/No longer pending: it is now\s*rejected\s*\(by ap2\)/).waitFor();
    expect(await first.getByRole('button', { name: /^Approve/ }).isDisabled()).toBe(true);
    // The redraw moved no card: the comment still has the keyboard, and nothing typed is lost.
    await page.keyboard.type('typed');
    expect(await older.inputValue()).toBe('half typed');

    // Without the live stream (a dropped connection), the click reaches the service and its 409 is shown.
    await page.route('**/api/events', (route) => route.abort());
    const third = await api().post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ needsThrottle: true }, 'third'));
    const thirdId = third.body.decisions.find((d: { rule: string }) => d.rule === 'gated-throttle').actionId as string;
    await page.reload();
    const thirdCard = page.locator(`article[data-action-id="${thirdId}"]`);
    await thirdCard.waitFor();
    await api().post(`/api/self-healing/actions/${thirdId}/reject`).set(...bearer(KEYS.approver2)).send({ by: 'other' }).expect(200);
    await thirdCard.getByRole('button', { name: /^Approve/ }).click();
    await thirdCard.getByRole('alert').getByText(/Already decided.*rejected by ap2/).waitFor();
    expect(await thirdCard.getByRole('button', { name: /^Approve/ }).isDisabled()).toBe(true);
    await page.unroute('**/api/events');
    await page.reload();
  });

  it('opens on the overview and hides what the approver role cannot do', async () => {
    await go('overview');
    await page.getByRole('heading', { name: /Pending approvals \(1\)/ }).waitFor();
    await page.getByRole('heading', { name: 'Throttle' }).waitFor();
    await page.getByText('active', { exact: true }).first().waitFor();
    // Restoring the throttle is for admins: an approver does not see the button.
    expect(await page.getByRole('button', { name: 'Restore throttle' }).count()).toBe(0);
    // The pause switch is the admin's too: the approver sees its state, not the switch.
    await page.getByRole('region', { name: 'Automation pause' }).getByText('running', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Pause automation' }).count()).toBe(0);
    await shot('overview');
    // A finished action shows up among the last actions without a reload.
    const last = page.locator('section', { has: page.getByRole('heading', { name: 'Last actions' }) }).locator('tbody tr');
    const before = await last.count();
    await api().post('/api/metrics').set(...bearer(KEYS.operator)).send(snapshot({ errorRate: 0.3 }, 'late')).expect(200);
    expect(before).toBeLessThan(10);
    await last.nth(before).waitFor();
    await last.filter({ hasText: 'noisy' }).first().waitFor();
    // Rules are the admin's: the approver sees their state, no toggle, and a file to view, not edit.
    await go('rules');
    await page.getByRole('link', { name: 'noisy' }).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'View the whole file' }).count()).toBe(1);
  });

  it('filters the history and shows an action with its checks and lifecycle', async () => {
    await go('history');
    // Each row links its creation time: local with the zone, the ISO instant on hover.
    const when = page.locator('tbody tr a time').first();
    await when.waitFor();
    expect(await when.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    await shot('history');
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByLabel('Type').selectOption('throttle');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=succeeded.*type=throttle/);
    await currentViewShown(page);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { name: 'gated-throttle: throttle' }).waitFor();
    await page.getByRole('heading', { name: 'Lifecycle' }).waitFor();
    await page.getByText(/Approved — .* by ap/).waitFor();
    await shot('action');
  });

  it('lets an admin toggle a rule, and shows a schema error at its field', async () => {
    await signOut();
    await signIn(page, session.url, KEYS.admin);
    await go('rules');
    await shot('rules');
    const toggle = page.getByRole('checkbox', { name: 'Enabled noisy' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await page.getByText('noisy is now disabled.').waitFor();
    const noisy = await api().get('/api/self-healing/rules/noisy').set(...bearer(KEYS.viewer));
    expect(noisy.body.rule.enabled).toBe(false);

    await page.getByRole('link', { name: 'disk-full' }).click();
    await page.getByRole('heading', { name: 'Rule: disk-full' }).waitFor();
    await page.getByLabel('Cooldown (minutes)').fill('-5');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('region', { name: /Changes to this rule/ }).getByText('"cooldownMinutes": -5').waitFor();
    await page.getByRole('button', { name: 'Save rule' }).click();
    const fieldError = page.locator('#field-cooldownMinutes-error');
    await fieldError.getByText(/\/cooldownMinutes/).waitFor();
    expect(await page.getByLabel('Cooldown (minutes)').getAttribute('aria-invalid')).toBe('true');
    await shot('rule-editor');
    expect((await api().get('/api/self-healing/rules/disk-full').set(...bearer(KEYS.viewer))).body.rule.cooldownMinutes).toBe(5);
  });

  it('explains a stale write (412) with the newer version and saves over it when asked', async () => {
    await page.getByLabel('Cooldown (minutes)').fill('7');
    await page.getByRole('button', { name: 'Review changes' }).click();
    // Someone else edits the same rule meanwhile.
    const other = await api().patch('/api/self-healing/rules/disk-full').set(...bearer(KEYS.admin)).send({ description: 'edited elsewhere' });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('heading', { name: 'The rules file changed while you were editing' }).waitFor();
    await page.getByRole('region', { name: 'What changed meanwhile' }).getByText('edited elsewhere').waitFor();
    await page.getByRole('region', { name: 'Newer version compared with your edit' }).getByText('"cooldownMinutes": 7').waitFor();
    await page.getByRole('button', { name: 'Apply my changes to the newer version' }).click();
    await page.getByText(/^Saved\. The rules file is now version/).waitFor();
    // Only what this person changed is written: the other edit stays.
    const saved = await api().get('/api/self-healing/rules/disk-full').set(...bearer(KEYS.viewer));
    expect(saved.body.rule).toMatchObject({ cooldownMinutes: 7, description: 'edited elsewhere' });
  });

  it('edits the whole rules file: problems named with their line, then a reviewed save', async () => {
    await go('rules-file');
    const editor = page.getByLabel('The whole rules file (JSON)');
    const text = await editor.inputValue();
    expect(text).toContain('"gated-alert"');
    await shot('rules-file');
    await editor.fill(text.replace('"severity": "info"', '"severity": "loud"'));
    await page.getByRole('button', { name: 'Review changes' }).click();
    const problem = page.locator('#rules-problems li', { hasText: '/rules/2/severity' });
    await problem.waitFor();
    const line = text.split('\n').findIndex((l) => l.includes('"severity": "info"')) + 1;
    await problem.getByRole('button', { name: `Go to line ${line}` }).waitFor();
    await editor.fill(text.replace('"severity": "info"', '"severity": "warning"'));
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('region', { name: /Changes to the file/ }).getByText('"severity": "warning"').waitFor();
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByText(/^Saved\. The rules file is now version/).waitFor();
    expect((await api().get('/api/self-healing/rules/noisy').set(...bearer(KEYS.viewer))).body.rule.severity).toBe('warning');
  });

  it('simulates a recent snapshot and shows every rule\'s decision', async () => {
    await go('simulate');
    // The first snapshot (source "test") carried every fact; the later one (source "late") only an error rate.
    const first = page.getByLabel('Start from a recent snapshot').locator('option', { hasText: '· test (' });
    await page.getByLabel('Start from a recent snapshot').selectOption((await first.getAttribute('value'))!);
    expect(await page.getByLabel('Snapshot (JSON)').inputValue()).toContain('needsThrottle');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const table = page.getByRole('table', { name: 'Simulated decisions' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(4);
    await table.locator('tr', { hasText: 'noisy' }).getByText('disabled', { exact: true }).waitFor();
    await shot('simulate');
  });

  it('acknowledges an alert', async () => {
    await go('alerts');
    const ack = page.getByRole('button', { name: /^Acknowledge disk-full/ });
    await ack.waitFor();
    await shot('alerts');
    await ack.click();
    await ack.waitFor({ state: 'detached' });
    const alerts = await api().get('/api/self-healing/alerts?rule=disk-full').set(...bearer(KEYS.viewer));
    expect(alerts.body.items[0]).toMatchObject({ acknowledgedBy: 'ad' });
  });

  it('lists prompt versions with the active one', async () => {
    await api().post('/api/prompts/main/versions').set(...bearer(KEYS.admin)).send({ content: 'You are helpful.', description: 'first' });
    await api().post('/api/prompts/main/versions').set(...bearer(KEYS.admin)).send({ content: 'You are brief.', description: 'second', activate: true });
    await go('prompts');
    await page.getByRole('heading', { name: /main active: v2/ }).waitFor();
    await shot('prompts');
  });

  it('works at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await go('overview');
    await shot('overview-phone');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await go('approvals');
    await shot('approvals-phone');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1100, height: 820 });
  });

  it('approves by keyboard alone: comment, Tab to Approve, Enter', async () => {
    await go('approvals');
    const comment = page.getByLabel('Comment (optional)');
    await comment.focus();
    await page.keyboard.type('checked by hand');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Approve gated-alert');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('succeeded').waitFor();
    const done = await api().get('/api/self-healing/actions?rule=gated-alert&status=succeeded').set(...bearer(KEYS.viewer));
    expect(done.body.items[0]).toMatchObject({ decidedBy: 'ad', decisionComment: 'checked by hand' });
  });

  it('signs out: the old cookie no longer opens anything', async () => {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'shre_session')!;
    await signOut();
    const after = await api().get('/api/self-healing/rules').set('Cookie', `shre_session=${cookie.value}`);
    expect(after.status).toBe(401);
  });
});
