import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { TestApp } from './test-app';

/** Debian's chromium (`.ci/chromium.sh` installs it), or CHROMIUM_PATH. */
export function findChromium(): { path: string } | { reason: string } {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : (process.env.PATH ?? '').split(path.delimiter).flatMap((dir) => ['chromium', 'chromium-browser'].map((n) => path.join(dir, n)));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return { path: file };
    } catch {
      // not here
    }
  }
  return { reason: process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable` : 'no chromium on PATH (run .ci/chromium.sh)' };
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Serves a test app on a loopback port, as the service would. */
export async function serve(t: TestApp): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      t.services.events.closeStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Where the run's screenshots go: docs/console when CONSOLE_SCREENSHOTS=docs (to refresh the docs), else a temp dir. */
export function screenshotDir(fallback: string): string {
  const dir = process.env.CONSOLE_SCREENSHOTS === 'docs' ? path.join(__dirname, '..', '..', 'docs', 'console') : path.join(fallback, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Waits until the console shows the page of the current URL, loaded. A click that navigates changes
 * the URL first and the page only once its data is in, so a locator right after waitForURL may
 * still find the previous page (the console marks what it shows in main's data-view).
 */
export async function currentViewShown(page: Page): Promise<void> {
  // Runs in the page; this project's TypeScript has no DOM types, hence the cast. (A string would
  // be evaluated with eval, which the console's Content-Security-Policy forbids.)
  await page.waitForFunction(() => {
    const w = globalThis as unknown as { document: { getElementById(id: string): { dataset: { view?: string } } | null }; location: { hash: string } };
    return w.document.getElementById('main')?.dataset.view === w.location.hash;
  });
}

/** Opens the console at `baseUrl`, signs in with `key` and waits for the Overview it lands on. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

/**
 * A browser suite: the suite itself when a chromium is found, else one test that says why it did
 * not run (the rest of the run goes on).
 */
export function describeInChromium(title: string, body: (executablePath: string) => void): void {
  const found = findChromium();
  if ('reason' in found) {
    it('cannot run without a chromium', () => {
      console.warn(`BROWSER SUITE NOT RUN: ${found.reason}`);
      expect(found.reason).not.toBe('');
    });
    return;
  }
  describe(title, () => body(found.path));
}

/**
 * The hooks every console suite needs, read when they run (a suite opens its session and app in
 * its beforeAll): after each test, nothing the page threw or logged as an error that the session
 * did not expect; after the suite, the browser closed and the app stopped, even when opening failed.
 */
export function closeConsoleAfterSuite(opened: () => { session?: ConsoleSession; app?: TestApp }): void {
  afterEach(() => {
    expect(opened().session?.errors.splice(0) ?? []).toEqual([]);
  });
  afterAll(async () => {
    const { session, app } = opened();
    await session?.close();
    await app?.stop();
  });
}

/** The console of a served test app in a Chromium page; `errors` collects what the page threw or logged as an error. */
export interface ConsoleSession {
  url: string;
  browser: Browser;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * Serves `t`, launches Chromium and opens a page (1100×820 unless told, reduced motion) whose
 * uncaught errors and console errors land in `errors` — but for the HTTP statuses the test expects
 * the console to meet (`expectedStatuses`, e.g. 409 for a refusal it shows); `expectedErrors` says
 * instead which console errors to let pass, for a suite that allows fewer (only its own 400s, say).
 * With `signInAs`, signs in with that key and waits until the live stream is open.
 */
export async function openConsole(
  t: TestApp,
  executablePath: string,
  {
    viewport = { width: 1100, height: 820 },
    timezoneId,
    expectedStatuses = [401, 403, 409],
    expectedErrors = new RegExp(`${expectedStatuses.join('|')}|Failed to load resource`),
    signInAs,
  }: { viewport?: { width: number; height: number }; timezoneId?: string; expectedStatuses?: number[]; expectedErrors?: RegExp; signInAs?: string } = {},
): Promise<ConsoleSession> {
  const server = await serve(t);
  const browser = await launchChromium(executablePath);
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', ...(timezoneId ? { timezoneId } : {}) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedErrors.test(msg.text())) errors.push(msg.text());
  });
  if (signInAs) {
    await signIn(page, server.url, signInAs);
    await page.locator('#live-state[data-state="open"]').waitFor();
  }
  return {
    url: server.url,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
