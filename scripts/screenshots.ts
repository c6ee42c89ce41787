/**
 * `npx tsx scripts/screenshots.ts`: the pictures in the docs, taken in the Chromium the browser
 * tests use (/usr/bin/chromium): the mock's inspector page with one webhook and one delivery
 * (docs/images/inspector.png, docs/mock-server.md) and the HTML report of a failing conformance
 * run with its failure open (docs/images/conformance-report.png, docs/conformance.md). Run it
 * again when either page changes; it talks to nothing but what it starts on 127.0.0.1.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createWebhooksClient } from '../src/client/webhooks-client.js';
import { launchChromium } from '../src/test-support/browser.js';
import { failingReportHtml } from '../src/test-support/failing-report.js';
import { serveOnLoopback } from '../src/test-support/loopback-server.js';
import { startMockServer } from '../src/testing/mock-server.js';

const images = fileURLToPath(new URL('../docs/images/', import.meta.url));
const viewport = { width: 1280, height: 860 };

/** The inspector after a service registered a webhook and one event was delivered to it. */
async function inspector(browser: Browser): Promise<void> {
  const receiver = await serveOnLoopback((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  const mock = await startMockServer({
    seed: [],
    deliveryTarget: `${receiver.url}/webhooks/upvest`,
  });
  try {
    const client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
      keyId: mock.credentials.keyId,
      privateKey: mock.credentials.privateKey!,
    });
    const webhook = await client.create({
      title: 'Orders service',
      url: 'https://tenant.example/webhooks/upvest',
      type: ['ORDER', 'USER'],
    });
    await client.enable(webhook.id);
    const page = await browser.newPage({ viewport });
    await page.goto(`${mock.url}/__mock/ui`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.fill('#trigger-type', 'ORDER.FILLED');
    await page.click('#trigger');
    await page.locator('#deliveries tbody tr', { hasText: 'HTTP 200' }).waitFor();
    await page.locator('#deliveries summary').first().click();
    await page.screenshot({ path: `${images}inspector.png`, fullPage: true });
  } finally {
    await mock.close();
    await receiver.close();
  }
}

/** The report of a failing run, its failure opened as a reader would. */
async function report(browser: Browser): Promise<void> {
  const page = await browser.newPage({ viewport });
  await page.setContent(failingReportHtml(false));
  await page.locator('details.check summary').first().click();
  await page.screenshot({ path: `${images}conformance-report.png`, fullPage: true });
}

mkdirSync(images, { recursive: true });
const browser = await launchChromium();
try {
  await inspector(browser);
  await report(browser);
} finally {
  await browser.close();
}
console.log(`written: ${images}inspector.png, ${images}conformance-report.png`);
