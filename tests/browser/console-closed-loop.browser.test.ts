import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The closed loop in the console, in a real Chromium against the real API: the pause switch,
 * an approval refused because its condition cleared and then forced, an outcome decided by the
 * verification sweep arriving live, and a revert from the action page. The service runs on a
 * manual clock; the verification windows are 1.2 s of it, moved by hand, and judged by the
 * periodic work as the lease holder would.
 */
jest.setTimeout(120_000);

/** datetime-local value (the browser's local time, which is this process's) for a Date. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

describeInChromium('the closed loop in the console', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;

  const api = () => request(t.app);
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const go = async (hash: string) => {
    await page.goto(`${session.url}/console/#/${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const ingest = async (metrics: Record<string, unknown>, source: string) => {
    const res = await api().post('/api/metrics?wait=true').set(...bearer(KEYS.operator)).send(snapshot(metrics, source));
    expect(res.status).toBe(200);
    return res.body as { snapshotId: string; decisions: Array<{ rule: string; decision: string; actionId?: string }> };
  };
  const card = (actionId: string) => page.locator(`article[data-action-id="${actionId}"]`);
  const pauseBanner = () => page.locator('#pause-banner');

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('slow-down', {
          conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] },
          cooldownMinutes: 10,
          action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } },
          verify: { windowMinutes: 0.02, onIneffective: 'none' },
        }),
        rule('shed-load', {
          conditions: { all: [{ fact: 'cpu', operator: 'greaterThan', value: 90 }] },
          cooldownMinutes: 10,
          action: { type: 'throttle', params: { factor: 0.25, durationMinutes: 30 } },
          verify: { windowMinutes: 0.02, onIneffective: 'revert' },
        }),
        rule('gated', {
          conditions: { all: [{ fact: 'queueDepth', operator: 'greaterThan', value: 100 }] },
          requiresApproval: true,
          cooldownMinutes: 0,
          severity: 'critical',
          verify: false,
        }),
      ),
      config: {
        auth: { apiKeys: API_KEYS },
        console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } },
      },
    });
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { expectedStatuses: [400, 401, 403, 409, 412], signInAs: KEYS.admin });
    page = session.page;
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('pauses automation with a reason and an end, refuses approvals while paused, and resumes', async () => {
    const waiting = (await ingest({ queueDepth: 500 }, 'queue-a')).decisions[0]!;
    expect(waiting).toMatchObject({ rule: 'gated', decision: 'require_approval' });

    await go('overview');
    const pauseSection = page.getByRole('region', { name: 'Automation pause' });
    await pauseSection.getByText('running', { exact: true }).waitFor();
    const until = new Date(t.clock.now().getTime() + 2 * 3_600_000);
    await page.getByLabel('Pause reason').fill('incident 4711: hands off');
    await page.getByLabel(/^Until/).fill(localInput(until));
    await page.getByRole('button', { name: 'Pause automation' }).click();
    await pauseBanner().getByText(/by ad: incident 4711: hands off/).waitFor();
    await pauseSection.getByText('paused', { exact: true }).waitFor();
    await shot('overview-paused');
    const state = (await api().get('/api/self-healing/pause').set(...bearer(KEYS.viewer))).body;
    expect(state).toMatchObject({ paused: true, reason: 'incident 4711: hands off', by: 'ad' });
    expect(Date.parse(state.until)).toBe(Math.floor(until.getTime() / 60_000) * 60_000);

    // While paused, a matching snapshot runs nothing, and approving is refused with the service's reason.
    expect((await ingest({ errorRate: 0.5 }, 'queue-b')).decisions[0]).toMatchObject({ rule: 'slow-down', decision: 'paused' });
    await go('approvals');
    await page.locator('#approvals-pause').getByText(/Automation is paused by ad: incident 4711/).waitFor();
    await card(waiting.actionId!).getByRole('button', { name: /^Approve/ }).click();
    await card(waiting.actionId!).getByRole('alert').getByText(/Automation is paused.*incident 4711/).waitFor();
    expect((await api().get(`/api/self-healing/actions/${waiting.actionId}`).set(...bearer(KEYS.viewer))).body.status).toBe('pending_approval');

    await go('overview');
    await page.getByRole('button', { name: 'Resume automation' }).click();
    await page.getByRole('status').getByText('Automation resumed').waitFor();
    await pauseBanner().waitFor({ state: 'detached' });
    expect((await api().get('/api/self-healing/pause').set(...bearer(KEYS.viewer))).body.paused).toBe(false);

    // Paused and resumed elsewhere: the overview follows the automation.paused/resumed events live.
    await api().post('/api/self-healing/pause').set(...bearer(KEYS.admin)).send({ reason: 'deploy freeze' }).expect(200);
    await pauseBanner().getByText(/deploy freeze — until someone resumes it/).waitFor();
    await api().delete('/api/self-healing/pause').set(...bearer(KEYS.admin)).expect(200);
    await pauseBanner().waitFor({ state: 'detached' });

    // Resumed, the approval goes through.
    await go('approvals');
    await card(waiting.actionId!).getByRole('button', { name: /^Approve/ }).click();
    await card(waiting.actionId!).getByRole('status').getByText('succeeded').waitFor();
  });

  it('shows an approval refused because its condition cleared, with the snapshot and failing condition, then force-approves it', async () => {
    await go('approvals');
    const asked = (await ingest({ queueDepth: 300 }, 'queue-c')).decisions[0]!;
    await card(asked.actionId!).waitFor();
    t.clock.advance(1_000);
    const fresh = await ingest({ queueDepth: 12 }, 'queue-c');

    await card(asked.actionId!).getByRole('button', { name: /^Approve/ }).click();
    const refusal = card(asked.actionId!).getByRole('alert');
    await refusal.getByText(/Condition cleared/).waitFor();
    await refusal.getByText(new RegExp(fresh.snapshotId)).waitFor();
    const failing = refusal.getByRole('table', { name: 'Conditions that now fail' });
    await failing.locator('tbody tr', { hasText: 'queueDepth greaterThan 100' }).getByText('12', { exact: true }).waitFor();
    // Still pending: the plain Approve is off, Reject stays possible.
    expect(await card(asked.actionId!).getByRole('button', { name: /^Approve/ }).isDisabled()).toBe(true);
    expect(await card(asked.actionId!).getByRole('button', { name: /^Reject/ }).isDisabled()).toBe(false);
    expect((await api().get(`/api/self-healing/actions/${asked.actionId}`).set(...bearer(KEYS.viewer))).body.status).toBe('pending_approval');
    await shot('approval-condition-cleared');

    await card(asked.actionId!).getByRole('button', { name: /^Confirm approval of gated/ }).click();
    await card(asked.actionId!).getByRole('status').getByText('succeeded').waitFor();
    const forced = (await api().get(`/api/self-healing/actions/${asked.actionId}`).set(...bearer(KEYS.viewer))).body;
    expect(forced).toMatchObject({ status: 'succeeded', decidedBy: 'ad', forcedApproval: { snapshotId: fresh.snapshotId } });
  });

  let throttleId = '';

  it('shows the outcome the verification decides, live on the action page and in the history filter', async () => {
    const fired = (await ingest({ errorRate: 0.4 }, 'web')).decisions[0]!;
    expect(fired).toMatchObject({ rule: 'slow-down', decision: 'execute' });
    throttleId = fired.actionId!;
    await go(`actions/${throttleId}`);
    const header = page.locator('main h1 + p');
    await header.locator('.badge.pending').waitFor();

    t.clock.advance(300);
    await ingest({ errorRate: 0.02 }, 'web'); // recovered within the window
    t.clock.advance(1_200);
    expect(await t.services.sweeps.runOnce()).toBe(true);
    // No reload: the action.verified event brings the outcome.
    await header.locator('.badge.effective').waitFor();
    await page.getByText(/^Outcome: effective/).waitFor();
    await page.getByRole('term').filter({ hasText: 'Recovered' }).waitFor();

    await go('history');
    await page.getByLabel('Outcome').selectOption('effective');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/outcome=effective/);
    await currentViewShown(page);
    const rows = page.locator('tbody tr');
    await rows.first().getByText('slow-down').waitFor();
    expect(await rows.count()).toBe(1);
    await rows.first().locator('.badge.effective').waitFor();
    await shot('history-outcomes');
  });

  it('reverts a succeeded throttle from its page, and links the action and its revert both ways', async () => {
    expect((await api().get('/api/self-healing/throttle').set(...bearer(KEYS.viewer))).body.active).toBe(true);
    await go(`actions/${throttleId}`);
    await page.getByRole('button', { name: 'Revert this action' }).click();
    await page.getByRole('status').getByText(/Revert\s*succeeded/).waitFor();
    expect((await api().get('/api/self-healing/throttle').set(...bearer(KEYS.viewer))).body.active).toBe(false);
    // Reverted once: a link to the revert instead of a second button (once the page shows the action as it is now).
    await page.getByText(/Reverted by/).getByRole('link').waitFor();
    expect(await page.getByRole('button', { name: 'Revert this action' }).count()).toBe(0);
    await shot('action-revert');

    await page.getByText(/Reverted by/).getByRole('link').click();
    await page.getByRole('heading', { name: 'slow-down: throttle (revert)' }).waitFor();
    const original = await api().get(`/api/self-healing/actions/${throttleId}`).set(...bearer(KEYS.viewer));
    expect(page.url()).toContain(`#/actions/${original.body.revertedBy}`);
    await page.getByRole('link', { name: 'the original action' }).click();
    await page.waitForURL(new RegExp(`#/actions/${throttleId}$`));
    await page.getByText(/Reverted by/).waitFor();
    // A second revert by hand is refused by the service (already_reverted); the console offered none.
    const again = await api().post(`/api/self-healing/actions/${throttleId}/revert`).set(...bearer(KEYS.admin));
    expect(again.body.code).toBe('already_reverted');
  });

  it('follows an ineffective action reverted by the verification, live on its page', async () => {
    const fired = (await ingest({ cpu: 97 }, 'batch')).decisions[0]!;
    expect(fired).toMatchObject({ rule: 'shed-load', decision: 'execute' });
    await go(`actions/${fired.actionId}`);
    await page.locator('main h1 + p .badge.pending').waitFor();
    t.clock.advance(300);
    await ingest({ cpu: 95 }, 'batch'); // still bad: the throttle did not help
    t.clock.advance(1_200);
    expect(await t.services.sweeps.runOnce()).toBe(true);
    // No reload: the outcome and the automatic revert arrive through the event stream.
    await page.locator('main h1 + p .badge.ineffective').waitFor();
    await page.getByText(/Reverted by .*\(by verify:/).waitFor();
    expect(await page.getByRole('button', { name: 'Revert this action' }).count()).toBe(0);
    expect((await api().get('/api/self-healing/throttle').set(...bearer(KEYS.viewer))).body.active).toBe(false);
  });

  it('shows per-rule statistics: dispatched, effective rate, median recovery', async () => {
    await go('stats');
    const byRule = page.getByRole('table', { name: 'Statistics by rule' });
    const row = byRule.locator('tbody tr', { hasText: 'slow-down' });
    await row.waitFor();
    const cell = (label: string) => row.locator(`td[data-label="${label}"]`);
    expect(await cell('Dispatched').textContent()).toBe('1');
    expect(await cell('Effective').textContent()).toBe('1');
    expect(await cell('Reverted').textContent()).toBe('1');
    expect(await cell('Effective rate').textContent()).toBe('100 %');
    expect(await cell('Median recovery').textContent()).toMatch(/^\d+ s$/);
    await shot('stats');
  });
});
