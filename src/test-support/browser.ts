/**
 * Chromium for the browser tests (`*.browser.test.ts`) and the screenshot script: Debian's
 * build at /usr/bin/chromium driven by playwright-core, which downloads no browser of its own.
 * Without that file the browser tests skip and say why, unless REQUIRE_BROWSER=1 (CI) makes its
 * absence a failure. Not part of the package.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the browser tests run: Chromium is there, or CI demands them (and then they fail). */
export const browserTestsRun = existsSync(CHROMIUM_PATH) || process.env['REQUIRE_BROWSER'] === '1';

/** The name of a browser test's `describe`, with the reason when it is skipped. */
export function browserSuite(name: string): string {
  return browserTestsRun
    ? name
    : `${name} (skipped: no ${CHROMIUM_PATH}; install chromium, or set REQUIRE_BROWSER=1 to fail instead)`;
}

/**
 * A headless Chromium with a fresh profile (playwright's temporary user data directory), no
 * network of its own (no updates, sync or QUIC): it reaches only what a test serves.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} does not exist: apt-get install chromium`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page complained about: console errors, CSP violations, dialogs, uncaught errors. */
export interface PageTrouble {
  readonly consoleErrors: string[];
  readonly violations: string[];
  readonly dialogs: string[];
  readonly pageErrors: string[];
}

/**
 * Watches `page` for trouble from now on. CSP violations are caught by a listener the browser
 * adds before any of the page's own scripts (an init script runs outside the page's policy).
 */
export async function watchTrouble(page: Page): Promise<PageTrouble> {
  const trouble: PageTrouble = { consoleErrors: [], violations: [], dialogs: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => trouble.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    trouble.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.exposeFunction('__reportViolation', (text: string) => trouble.violations.push(text));
  // A string: the project compiles without the DOM's types.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      window.__reportViolation(event.violatedDirective + ' blocked ' + event.blockedURI));`,
  });
  return trouble;
}
