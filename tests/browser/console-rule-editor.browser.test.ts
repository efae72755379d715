import fs from 'node:fs';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../src/clock';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole } from '../helpers/browser';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * The rule editor shows a rule as the service applies it and writes back only what the person
 * changed: a rule that leaves a member out (as the README's tour does with `enabled`) keeps it out.
 */
jest.setTimeout(120_000);

describeInChromium('the rule editor in Chromium', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;

  const readFile = () => JSON.parse(fs.readFileSync(t.rulesFile, 'utf8')) as { rules: Record<string, unknown>[] };
  const open = async (name: string) => {
    await page.goto(`${session.url}/console/#/rules/${name}`);
    await currentViewShown(page);
    await page.getByRole('heading', { name: `Rule: ${name}` }).waitFor();
  };
  const reviewAndSave = async () => {
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText(/^Saved\. The rules file is now version/).waitFor();
  };

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(rule('kept', { cooldownMinutes: 1 })),
      config: { verify: { defaults: { throttle: { windowMinutes: 5, onIneffective: 'revert' } } } },
    });
    // A refusal the test provokes is logged by the browser as a failed load; any other error counts.
    session = await openConsole(t, chromium, { viewport: { width: 1280, height: 900 }, expectedErrors: /status of 400/ });
    page = session.page;
    page.on('response', (res) => {
      if (res.status() === 404) session.errors.push(`404 ${res.url()}`);
    });
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('opens a rule without "enabled" as enabled, and a cooldown change writes only the cooldown', async () => {
    const created = await request(t.app).post('/api/self-healing/rules').send({
      name: 'tour-like',
      conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.1 }] },
      action: { type: 'throttle', params: { factor: 0.5 } },
    });
    expect(created.status).toBe(201);
    const before = readFile();

    await open('tour-like');
    // Shown as the service applies it: the defaults filled in.
    expect(await page.getByLabel('Enabled').isChecked()).toBe(true);
    expect(await page.getByLabel('Cooldown (minutes)').inputValue()).toBe('15');
    expect(await page.getByLabel('Mode').inputValue()).toBe('enforce');
    expect(await page.getByLabel('Verify the outcome').inputValue()).toBe('revert');
    expect(await page.getByLabel('Verification window (minutes)').inputValue()).toBe('5');
    expect(await page.getByLabel('Notification channels (comma-separated)').inputValue()).toBe('log');

    await page.getByLabel('Cooldown (minutes)').fill('3');
    await reviewAndSave();

    const after = readFile();
    const expected = structuredClone(before);
    expected.rules[1]!.cooldownMinutes = 3;
    expect(after).toEqual(expected);
    const inForce = await request(t.app).get('/api/self-healing/rules/tour-like');
    expect(inForce.body.rule).toMatchObject({ enabled: true, cooldownMinutes: 3 });
    // The form now starts from the saved rule: reviewing again finds nothing to save.
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByText('Nothing changed: there is nothing to save.').waitFor();
  });

  it('edits mode, verification and the per-target budget', async () => {
    const before = readFile();
    await open('tour-like');
    expect(await page.getByLabel('Most actions on its target per budget window').inputValue()).toBe(String(t.config.limits.perTarget.maxActions));

    await page.getByLabel('Mode').selectOption('shadow');
    await page.getByLabel('Verify the outcome').selectOption('escalate');
    await page.getByLabel('Verification window (minutes)').fill('10');
    await page.getByLabel('Most actions on its target per budget window').fill('2');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('region', { name: /Changes to this rule/ }).getByText('"mode": "shadow"').waitFor();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText(/^Saved\. The rules file is now version/).waitFor();

    const expected = structuredClone(before);
    Object.assign(expected.rules[1]!, { mode: 'shadow', verify: { windowMinutes: 10, onIneffective: 'escalate' }, maxActionsPerTarget: 2 });
    expect(readFile()).toEqual(expected);
    const inForce = await request(t.app).get('/api/self-healing/rules/tour-like');
    expect(inForce.body.rule).toMatchObject({ enabled: true, mode: 'shadow', verify: { windowMinutes: 10, onIneffective: 'escalate' }, maxActionsPerTarget: 2 });

    // Verification off is written as false; the other members stay as they are.
    await page.getByLabel('Verify the outcome').selectOption('off');
    await reviewAndSave();
    expect(readFile().rules[1]).toEqual({ ...expected.rules[1], verify: false });
    expect(readFile().rules[0]).toEqual(before.rules[0]);
  });

  it('shows a problem the service names at its field, and writes nothing', async () => {
    await open('tour-like');
    const before = fs.readFileSync(t.rulesFile, 'utf8');
    await page.getByLabel('Most actions on its target per budget window').fill('0');
    await page.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.locator('#field-maxActionsPerTarget-error').getByText(/\/maxActionsPerTarget/).waitFor();
    expect(await page.getByLabel('Most actions on its target per budget window').getAttribute('aria-invalid')).toBe('true');
    expect(fs.readFileSync(t.rulesFile, 'utf8')).toBe(before);
  });
});
