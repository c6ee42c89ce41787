/**
 * The inspector page in a real Chromium: it shows what the mock does as it happens, its controls
 * work through the admin endpoints, hostile values stay text, and its policy is never violated.
 * Skips (saying why) without /usr/bin/chromium; REQUIRE_BROWSER=1 makes that a failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooksClient, type WebhooksClient } from '../../client/webhooks-client.js';
import { createNodeDeliveryHandler } from '../../receiver/handler.js';
import {
  browserSuite,
  browserTestsRun,
  launchChromium,
  watchTrouble,
  type PageTrouble,
} from '../../test-support/browser.js';
import { startMockServer, type MockServer } from '../mock-server.js';

const IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1">';
const SCRIPT_PAYLOAD = '"><script>window.__pwned=2</script>';
/** What a URL may carry past the API's `format: uri`: quotes and code for a string context. */
const URL_PAYLOAD = "https://tenant.tld/hooks/x?a=';window.__pwned=3;//";

describe.skipIf(!browserTestsRun)(browserSuite('the inspector page in Chromium'), () => {
  let browser: Browser;
  let receiver: Server;
  let mock: MockServer;
  let client: WebhooksClient;
  let page: Page;
  let trouble: PageTrouble;

  beforeAll(async () => {
    browser = await launchChromium();
    let keys: Parameters<typeof createNodeDeliveryHandler>[0]['keys'] = { keys: [] };
    // A real receiver: it verifies each delivery's signature with the keys the API serves.
    receiver = createServer((request, response) => {
      void createNodeDeliveryHandler({ keys, onEvents: () => undefined })(request, response);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    mock = await startMockServer({ seed: [], deliveryTarget: `http://127.0.0.1:${port}/hooks` });
    client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
      keyId: mock.credentials.keyId,
      privateKey: mock.credentials.privateKey!,
    });
    keys = await client.verificationKeys();
  });

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  afterEach(async () => {
    // Every test: no policy violated, no console error, no dialog, nothing ran that was data.
    expect(trouble).toEqual({ consoleErrors: [], violations: [], dialogs: [], pageErrors: [] });
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.close();
  });

  async function openInspector(): Promise<void> {
    page = await browser.newPage();
    trouble = await watchTrouble(page);
    await page.goto(`${mock.url}/__mock/ui`);
    await page.locator('body[data-ready="true"]').waitFor();
  }

  it('should show a triggered delivery with the answer of the receiver, and redeliver it', async () => {
    const webhook = await client.create({ title: 'Orders', url: 'https://tenant.tld/orders' });
    await client.enable(webhook.id);
    await openInspector();
    await expect.poll(() => page.locator('#webhooks tbody').textContent()).toContain('enabled');

    await page.fill('#trigger-type', 'USER.CREATED');
    await page.click('#trigger');

    const delivery = page.locator('#deliveries tbody tr').first();
    await expect.poll(() => delivery.textContent()).toContain('HTTP 200 accepted');
    expect(await delivery.textContent()).toContain('USER.CREATED');
    expect(await delivery.textContent()).toContain(`Orders (${webhook.id.slice(0, 8)})`);
    expect(await page.textContent('#message')).toContain('Triggered 1 event in 1 delivery');
    await delivery.locator('summary').click();
    expect(await delivery.locator('pre').textContent()).toMatch(/^signature-input: /m);

    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await expect.poll(() => page.locator('#deliveries tbody tr').count()).toBe(2);
    expect(await page.locator('#deliveries tbody tr').first().textContent()).toContain('(again)');
    await mock.deliveriesSettled();
    expect(mock.deliveries.map((d) => d.status)).toEqual([200, 200]);
  });

  it('should list each API request with its status, its signature verdict and its scopes', async () => {
    await openInspector();
    await client.list();
    const request = page.locator('#requests tbody tr').first();
    await expect.poll(() => request.textContent()).toContain('GET /webhooks');
    expect(await request.textContent()).toContain('200');
    expect(await request.textContent()).toContain('valid');
    expect(await request.textContent()).toMatch(/webhooks:(read|admin)/);
  });

  it('should inject a fault from its control and show it pending', async () => {
    await openInspector();
    await page.selectOption('#fault-kind', 'unavailable');
    await page.click('#inject-fault');
    await expect.poll(() => page.textContent('#faults')).toContain('"kind":"unavailable"');
    mock.clearFaults();
    await expect.poll(() => page.textContent('#faults')).toContain('none');
  });

  it('should ask for the admin token of a guarded mock, then show it and work its controls', async () => {
    const guarded = await startMockServer({ adminToken: 'admin-s3cret' });
    try {
      page = await browser.newPage();
      trouble = await watchTrouble(page);
      await page.goto(`${guarded.url}/__mock/ui`);
      await expect.poll(() => page.textContent('#connection')).toBe('needs the admin token');
      await page.fill('#token', 'admin-s3cret');
      await page.click('#token-submit');
      await page.locator('body[data-ready="true"]').waitFor();
      expect(await page.textContent('#connection')).toBe('live');
      expect(await page.isHidden('#token-section')).toBe(true);
      // The snapshot came over the stream; a control's request carries the token too.
      expect(await page.textContent('#faults')).toContain('none');
      await page.selectOption('#fault-kind', 'unavailable');
      await page.click('#inject-fault');
      await expect.poll(() => page.textContent('#faults')).toContain('"kind":"unavailable"');
      expect(guarded.pendingFaults()).toHaveLength(1);
      // Chromium logs the stream's first, refused request itself.
      expect(trouble.consoleErrors.splice(0)).toEqual([
        'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
      ]);
    } finally {
      await guarded.close();
    }
  });

  it('should show hostile titles and URLs as text and run none of them', async () => {
    for (const title of [IMG_PAYLOAD, SCRIPT_PAYLOAD]) {
      await client.create({ title, url: URL_PAYLOAD });
    }
    await openInspector();
    const webhooks = page.locator('#webhooks tbody');
    await expect.poll(() => webhooks.textContent()).toContain(SCRIPT_PAYLOAD);
    expect(await webhooks.textContent()).toContain(IMG_PAYLOAD);
    expect(await webhooks.textContent()).toContain(URL_PAYLOAD);
    expect(await page.locator('#webhooks img, #webhooks script').count()).toBe(0);

    // A problem's detail quotes what was sent: shown as text too.
    await page.fill('#trigger-type', IMG_PAYLOAD);
    await page.click('#trigger');
    await expect.poll(() => page.textContent('#message')).toContain('HTTP 400');
    expect(await page.locator('#message img').count()).toBe(0);
    // Chromium logs the refused request itself; that one error is the one this test asked for.
    expect(trouble.consoleErrors.splice(0)).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
