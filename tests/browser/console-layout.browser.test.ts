import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/clock';
import { type ConsoleSession, currentViewShown, closeConsoleAfterSuite, describeInChromium, openConsole } from '../helpers/browser';
import { rule, rulesDoc } from '../helpers/rules';
import { buildTestApp, type TestApp } from '../helpers/test-app';

/**
 * What a person sees on a first, direct load at desktop width: no focus ring round the page, the
 * model host's URL whole on one line (never broken mid-word), and no failed request for an icon.
 */
jest.setTimeout(120_000);

const PRIMARY = 'http://primary-model-host.inference.internal.example.com:11434';

describeInChromium('the console at 1280 px in Chromium', (chromium) => {
  let t: TestApp;
  let session: ConsoleSession;
  let page: Page;
  const failed: string[] = [];

  // Functions run in the page (they close over nothing); this project's TypeScript has no DOM types, hence the loose shapes.
  type El = { getAttribute(n: string): string | null; textContent: string | null; getClientRects(): { length: number }; getBoundingClientRect(): { height: number; width: number } };
  type Win = { document: { activeElement: El | null; getElementById(id: string): El | null; querySelector(s: string): El | null }; getComputedStyle(e: El): Record<string, string> };

  beforeAll(async () => {
    t = await buildTestApp({
      clock: new ManualClock(new Date()),
      rules: rulesDoc(rule('noted')),
      config: { modelHosts: { primary: PRIMARY, failback: { enabled: false } } },
    });
    session = await openConsole(t, chromium, { viewport: { width: 1280, height: 900 } });
    page = session.page;
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
  });

  closeConsoleAfterSuite(() => ({ session, app: t }));

  it('draws no focus ring round the page on a direct load, and still one for the keyboard', async () => {
    await page.goto(`${session.url}/console/#/overview`);
    await currentViewShown(page);
    // Focus is still moved to the page for screen readers...
    const main = await page.evaluate(() => {
      const el = (globalThis as unknown as Win).document.activeElement;
      return { id: el?.getAttribute('id'), outline: el ? (globalThis as unknown as Win).getComputedStyle(el).outlineStyle : null };
    });
    // ...without drawing anything round it.
    expect(main).toEqual({ id: 'main', outline: 'none' });
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => {
      const el = (globalThis as unknown as Win).document.activeElement;
      return { id: el?.getAttribute('id'), outline: el ? (globalThis as unknown as Win).getComputedStyle(el).outlineStyle : null };
    });
    expect(next.id).not.toBe('main');
    expect(next.outline).toBe('solid');
  });

  it('shows the model host URL on one line, cut at its end rather than broken mid-word, whole on hover', async () => {
    const url = page.getByRole('region', { name: 'Model failover' }).locator('.url');
    await url.waitFor();
    expect(await url.textContent()).toBe(PRIMARY);
    expect(await url.getAttribute('title')).toBe(PRIMARY);
    const shape = await url.evaluate((el: unknown) => {
      const e = el as El;
      const style = (globalThis as unknown as Win).getComputedStyle(e);
      return { whiteSpace: style.whiteSpace, textOverflow: style.textOverflow, height: e.getBoundingClientRect().height, lineHeight: parseFloat(style.lineHeight) };
    });
    expect(shape).toMatchObject({ whiteSpace: 'nowrap', textOverflow: 'ellipsis' });
    // One rendered line.
    expect(shape.height).toBeLessThan(shape.lineHeight * 1.5);
  });

  it('asks for nothing that is not there: the page declares its icon, which is served', async () => {
    expect(failed).toEqual([]);
    const href = await page.evaluate(() => (globalThis as unknown as Win).document.querySelector('link[rel="icon"]')?.getAttribute('href') ?? null);
    expect(href).toBe('favicon.svg');
    const icon = await page.request.get(`${session.url}/console/${href!}`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
  });
});
