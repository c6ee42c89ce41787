/**
 * The HTML conformance report (conformance/report/html.ts) of a failing run, opened in a real
 * Chromium: a reader finds the failure, with its exchange and curl line, and nothing a server
 * sent runs or breaks the page's policy. Here beside the inspector's browser test, whose browser
 * set-up it shares (test files and test support may import the suite; src code may not).
 * Skips (saying why) without /usr/bin/chromium; REQUIRE_BROWSER=1 makes that a failure.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSuite,
  browserTestsRun,
  launchChromium,
  watchTrouble,
} from '../../test-support/browser.js';
import { failingReportHtml, HOSTILE_MARKUP as HOSTILE } from '../../test-support/failing-report.js';
import { serveOnLoopback } from '../../test-support/loopback-server.js';

describe.skipIf(!browserTestsRun)(browserSuite('the HTML conformance report in Chromium'), () => {
  let browser: Browser;
  let served: Awaited<ReturnType<typeof serveOnLoopback>>;

  beforeAll(async () => {
    browser = await launchChromium();
    const html = failingReportHtml();
    served = await serveOnLoopback((request, response) => {
      if (request.url !== '/') return void response.writeHead(204).end();
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('should show the verdict and let a reader open the failure with its exchange, running nothing', async () => {
    const page = await browser.newPage();
    const trouble = await watchTrouble(page);
    await page.goto(`${served.url}/`);

    expect(await page.textContent('p.verdict')).toContain('Failed: 1 passed, 1 failed, 1 skipped');
    const failures = page.locator('h2', { hasText: 'Failures (1)' });
    expect(await failures.count()).toBe(1);
    const failure = page.locator('details.check', { hasText: 'body matches the WebhookList' });
    expect(await failure.locator('pre').isVisible()).toBe(false);
    await failure.locator('summary').click();
    expect(await failure.locator('pre').isVisible()).toBe(true);
    expect(await failure.locator('pre').textContent()).toContain("curl -X GET 'http://127.0.0.1");
    expect(await failure.textContent()).toContain('GET /webhooks → HTTP 200');
    // What the server sent is shown as it was sent, and none of it is markup.
    expect(await failure.textContent()).toContain(HOSTILE);
    expect(await page.title()).toContain(HOSTILE);
    expect(await page.locator('img, script').count()).toBe(0);

    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(trouble).toEqual({ consoleErrors: [], violations: [], dialogs: [], pageErrors: [] });
    await page.close();
  });
});
