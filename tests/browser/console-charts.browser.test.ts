import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { API_KEYS, bearer, KEYS } from '../helpers/api-keys';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole, screenshotDir } from '../helpers/browser';
import { rule, rulesDoc, snapshot } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The console's charts in a real Chromium against the real API: the facts behind an action (points,
 * threshold, markers, the verification window), the threshold following the rule editor, how often
 * the edited rule would have fired (replay), the Snapshots page's sparklines, the statistics' bars,
 * and their accessible names and table fallbacks. What is drawn is read from the DOM (the figures'
 * data attributes, the accessible names, the tables), never from pixels.
 */
jest.setTimeout(120_000);

const MINUTE = 60_000;

describeInChromium('charts in the console', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  let shots: string;
  let actionId: string;

  const api = () => request(t.app);
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const go = async (hash: string) => {
    await page.goto(`${session.url}/console/#/${hash}`);
    await currentViewShown(page);
  };
  const ingest = async (metrics: Record<string, unknown>, source = 'web') => {
    const res = await api().post('/api/metrics?wait=true').set(...bearer(KEYS.operator)).send(snapshot(metrics, source));
    expect(res.status).toBe(200);
    return res.body as { snapshotId: string; decisions: Array<{ rule: string; decision: string; actionId?: string }> };
  };

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(
        rule('latency-throttle-for-the-primary-model-host', {
          conditions: { all: [{ fact: 'ollama', path: '$.avgResponseTimeMs', operator: 'greaterThan', value: 5000 }] },
          cooldownMinutes: 10,
          action: { type: 'throttle', params: { factor: 0.5, durationMinutes: 30 } },
          verify: { windowMinutes: 0.02, onIneffective: 'none' },
        }),
        rule('gated-shed', {
          conditions: { all: [{ fact: 'cpu', operator: 'greaterThan', value: 90 }] },
          requiresApproval: true,
          cooldownMinutes: 0,
          action: { type: 'throttle', params: { factor: 0.25, durationMinutes: 30 } },
          verify: false,
        }),
        rule('host-down', {
          conditions: { all: [{ fact: 'host', path: '$.status', operator: 'equal', value: 'down' }] },
          cooldownMinutes: 0,
          verify: false,
        }),
      ),
      config: { auth: { apiKeys: API_KEYS }, console: { events: { pollIntervalMs: 50, heartbeatMs: 5000 } } },
    });
    // Half an hour of history, one snapshot a minute: 800 ms, one spike to 7,000 twenty minutes ago.
    const now = t.clock.now().getTime();
    await t.store.insertSnapshots(
      Array.from({ length: 30 }, (_, k) => {
        const receivedAt = new Date(now - k * MINUTE - 30_000);
        return { id: randomUUID(), source: 'web', timestamp: receivedAt.toISOString(), receivedAt, metrics: { ollama: { avgResponseTimeMs: k === 20 ? 7000 : 800 }, errorRate: 0.01 } };
      }),
    );
    shots = screenshotDir(t.dir);
    session = await openConsole(t, chromium, { expectedStatuses: [400, 401, 403, 409, 412], signInAs: KEYS.admin });
    page = session.page;

    // The action: fired, recovered 300 ms later, judged effective when its window ends.
    const fired = (await ingest({ ollama: { avgResponseTimeMs: 6200 }, errorRate: 0.02 })).decisions[0]!;
    expect(fired.decision).toBe('execute');
    actionId = fired.actionId!;
    t.clock.advance(300);
    await ingest({ ollama: { avgResponseTimeMs: 900 }, errorRate: 0.01 });
    t.clock.advance(1_200);
    expect(await t.services.sweeps.runOnce()).toBe(true);
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('draws each fact behind an action: its points, the threshold, the dispatch and recovery, the verification window', async () => {
    await go(`actions/${actionId}`);
    const figure = page.locator('figure.chart[data-drawn="true"]');
    await figure.waitFor();
    expect(await page.locator('figure.chart').count()).toBe(1);
    // The ten snapshots of the ten minutes before the dispatch, the one that fired it and the recovered one.
    expect(await figure.getAttribute('data-points')).toBe('12');
    expect(await figure.getAttribute('data-markers')).toBe('2');
    expect(await figure.getAttribute('data-threshold')).toBe('5000');
    expect(await figure.locator('[data-marker]').allTextContents()).toEqual([expect.stringMatching(/^dispatched /), expect.stringMatching(/^recovered /)]);
    // The canvas's accessible name says what it shows; the same numbers are in the table below it.
    const img = page.getByRole('img', { name: /^ollama\.avgResponseTimeMs \(web\): 12 points .*highest 6200.*threshold 5000.*marked: dispatched at .*recovered at .*verification window from/ });
    await img.waitFor();
    expect(await figure.locator('canvas').count()).toBeGreaterThan(0);
    await shot('action-chart');

    // Keyboard: the table fallback opens from its summary.
    const summary = figure.locator('summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    const rows = figure.getByRole('table', { name: /the values drawn/ }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(12);
    expect(await rows.last().locator('td').nth(1).textContent()).toBe('900');
    // Times are local with their zone; the ISO instant is on hover.
    const time = rows.last().locator('time');
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('moves the threshold line with the rule editor and says how often the edited rule would have fired', async () => {
    await go('rules/latency-throttle-for-the-primary-model-host');
    const figure = page.locator('.rule-series figure.chart[data-drawn="true"]');
    await figure.waitFor();
    expect(await figure.getAttribute('data-threshold')).toBe('5000');
    // The last 24 hours in buckets of 172.8 s: what the series route gives for the chart's span, the spike kept.
    const span = { from: Number(await figure.getAttribute('data-from')), to: Number(await figure.getAttribute('data-to')) };
    expect(span.to - span.from).toBe(24 * 60 * MINUTE);
    const series = await api().get('/api/self-healing/series').set(...bearer(KEYS.viewer))
      .query({ source: 'web', fact: 'ollama.avgResponseTimeMs', from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() });
    expect(series.body.samples).toBe(32);
    expect(series.body.points.map((p: number[]) => p[1])).toContain(7000);
    expect(await figure.getAttribute('data-points')).toBe(String(series.body.points.length));
    await page.getByRole('img', { name: new RegExp(`^ollama\\.avgResponseTimeMs \\(web\\): ${series.body.points.length} points .*highest 7000, last 900; threshold 5000\\.$`) }).waitFor();
    const before = Number(await figure.getAttribute('data-threshold-y'));
    const fired = page.locator('#fired-count[data-fired]');
    await fired.waitFor();
    // The spike twenty minutes ago and the one that fired: ten minutes of cooldown apart.
    expect(await fired.getAttribute('data-fired')).toBe('2');

    const conditions = page.getByLabel('Conditions (JSON, json-rules-engine)');
    const text = (await conditions.inputValue()).replace('5000', '500');
    await conditions.fill(text);
    await page.locator('.rule-series figure.chart[data-threshold="500"]').waitFor();
    const after = Number(await figure.getAttribute('data-threshold-y'));
    // A lower threshold sits lower on the canvas (further from the top).
    expect(after).toBeGreaterThan(before);
    await page.getByRole('img', { name: /threshold 500\./ }).waitFor();
    // Every snapshot now matches: the rule fires every ten minutes of the half hour.
    await page.locator('#fired-count[data-fired="3"]').waitFor();
    await page.getByRole('status').filter({ hasText: 'Would have fired 3 times' }).waitFor();
    // The count follows the rest of the edit too: twenty minutes of cooldown leave two of the three.
    await page.getByLabel('Cooldown (minutes)').fill('20');
    await page.locator('#fired-count[data-fired="2"]').waitFor();
    await shot('rule-editor-chart');
  });

  it('shows per source the newest snapshot and a sparkline per numeric fact, and opens a snapshot with its decisions', async () => {
    await go('snapshots');
    const card = page.locator('section[data-source="web"]');
    await card.waitFor();
    const lines = card.locator('svg.sparkline');
    expect(await lines.count()).toBe(2);
    // Downsampled like every series (172.8 s buckets over 24 hours), the spike kept.
    expect(Number(await lines.first().getAttribute('data-points'))).toBeGreaterThan(10);
    await card.getByRole('img', { name: /^ollama\.avgResponseTimeMs of web, last 24 hours: \d+ points .*highest 7000, last 900$/ }).waitFor();
    await shot('snapshots');
    await card.getByRole('link', { name: /UTC|GMT|\d{2}:\d{2}/ }).first().click();
    await page.waitForURL(/#\/snapshots\/[0-9a-f-]{36}$/);
    await currentViewShown(page);
    const decisions = page.getByRole('table', { name: 'Decisions for this snapshot' });
    await decisions.locator('tbody tr').first().waitFor();
    expect(await decisions.locator('tbody tr').first().locator('td').nth(1).textContent()).toBe('no');
  });

  it('draws actions by outcome and the effective rate per rule above the statistics, with the new columns', async () => {
    await go('stats');
    const bars = page.getByRole('img', { name: /^Actions per hour by outcome: 25 bars, 1 in all; effective 1$/ });
    await bars.waitFor();
    expect(await page.locator('svg.bars rect[data-key="effective"]').getAttribute('data-count')).toBe('1');
    await page.getByRole('img', { name: 'Effective rate per rule: latency-throttle-for-the-primary-model-host 100 %' }).waitFor();
    const row = page.getByRole('table', { name: 'Statistics by rule' }).locator('tbody tr', { hasText: 'latency-throttle-for-the-primary-model-host' });
    for (const [label, value] of [['Shadowed', '0'], ['Rejected', '0'], ['Expired', '0'], ['Escalated', '0'], ['Effective', '1']]) {
      expect(await row.locator(`td[data-label="${label}"]`).textContent()).toBe(value);
    }
    await shot('stats-charts');
  });

  it('shows mode, verification and budget on the Rules page, and ids in alert messages as links', async () => {
    await go('rules');
    const row = page.getByRole('table', { name: 'Rules' }).locator('tbody tr', { hasText: 'latency-throttle-for-the-primary-model-host' });
    expect(await row.locator('td[data-label="Mode"]').textContent()).toBe('enforce');
    expect(await row.locator('td[data-label="Verify"]').textContent()).toBe('0.02 min, then record only');
    expect(await row.locator('td[data-label="Budget"]').textContent()).toMatch(/^\d+ per target$/);

    await t.store.insertAlert({
      id: randomUUID(), rule: 'latency-throttle-for-the-primary-model-host', severity: 'warning',
      message: `action ${actionId} (throttle) did not fix what it matched`, metrics: {}, actionId, createdAt: t.clock.now(), acknowledgedAt: null, acknowledgedBy: null,
    });
    await go('alerts');
    await page.getByRole('link', { name: actionId }).click();
    await page.waitForURL(new RegExp(`#/actions/${actionId}$`));
    await currentViewShown(page);
    await page.locator('figure.chart[data-drawn="true"]').waitFor();
  });

  it('draws a rule in Simulate under the threshold typed into its scratch conditions', async () => {
    await go('simulate');
    await page.getByLabel('Start from a recent snapshot').selectOption({ label: (await page.locator('#recent option', { hasText: 'fired latency-throttle' }).first().textContent())! });
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('table', { name: 'Simulated decisions' }).waitFor();
    const figure = page.locator('.rule-series figure.chart[data-drawn="true"]');
    await figure.waitFor();
    expect(await page.getByLabel('Rule', { exact: true }).inputValue()).toBe('latency-throttle-for-the-primary-model-host');
    expect(await page.getByLabel('Source', { exact: true }).inputValue()).toBe('web');
    expect(await figure.getAttribute('data-threshold')).toBe('5000');
    const scratch = page.getByLabel('Its conditions (edit to try a threshold)');
    await scratch.fill((await scratch.inputValue()).replace('5000', '6500'));
    await page.locator('.rule-series figure.chart[data-threshold="6500"]').waitFor();
    // Only the spike of 7,000 is over 6,500 now.
    await page.locator('#fired-count[data-fired="1"]').waitFor();
    // Nothing was saved: the rule in force still says 5000.
    const inForce = await api().get('/api/self-healing/rules/latency-throttle-for-the-primary-model-host').set(...bearer(KEYS.viewer));
    expect(inForce.body.rule.conditions.all[0].value).toBe(5000);
    await shot('simulate-chart');
  });

  it('marks an approval and a revert on the action\'s chart', async () => {
    const asked = (await ingest({ cpu: 95 }, 'batch')).decisions.find((d) => d.rule === 'gated-shed')!;
    expect(asked.decision).toBe('require_approval');
    t.clock.advance(2_000);
    expect((await api().post(`/api/self-healing/actions/${asked.actionId}/approve`).set(...bearer(KEYS.approver)).send({ by: 'ann' })).status).toBe(200);
    t.clock.advance(2_000);
    expect((await api().post(`/api/self-healing/actions/${asked.actionId}/revert`).set(...bearer(KEYS.approver))).status).toBe(200);
    await go(`actions/${asked.actionId}`);
    const figure = page.locator('figure.chart[data-drawn="true"]');
    await figure.waitFor();
    expect(await figure.getAttribute('data-markers')).toBe('3');
    expect(await figure.locator('[data-marker]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { marker: string } }).dataset.marker))).toEqual(['dispatched', 'approved', 'reverted']);
    expect(await figure.getAttribute('data-points')).toBe('1');
    expect(await figure.getAttribute('data-threshold')).toBe('90');
    // No verification: nothing is shaded, and the name says none.
    expect(await figure.getByRole('img').getAttribute('aria-label')).not.toMatch(/verification window/);
  });

  it('says so when a fact has no number to draw', async () => {
    const fired = (await ingest({ host: { status: 'down' } }, 'edge')).decisions.find((d) => d.rule === 'host-down')!;
    await go(`actions/${fired.actionId}`);
    const figure = page.locator('figure.chart[data-drawn="true"]');
    await figure.waitFor();
    expect(await figure.getAttribute('data-points')).toBe('0');
    expect(await figure.getAttribute('data-threshold')).toBeNull();
    await page.getByRole('img', { name: 'host.status (edge): no number stored in this span (missing, or not a number)' }).waitFor();
  });

  it('fits the charts to a phone\'s width', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await go(`actions/${actionId}`);
      const canvas = page.locator('figure.chart[data-drawn="true"] canvas').first();
      await canvas.waitFor();
      const box = (await canvas.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      await go('stats');
      const bars = (await page.locator('svg.bars').first().boundingBox())!;
      expect(bars.x + bars.width).toBeLessThanOrEqual(390);
      // Nothing on the page is wider than the screen.
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await page.setViewportSize({ width: 1100, height: 820 });
    }
  });
});
