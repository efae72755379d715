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
