import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InspectorFeed, type InspectedDelivery } from './feed.js';
import { InspectorStreams, MAX_UNSENT_BYTES } from './stream.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A feed and its streams behind a real loopback server, as the mock serves them. */
async function servedFeed() {
  const feed = new InspectorFeed(() => ({ webhooks: [], faults: [] }), []);
  const streams = new InspectorStreams(feed);
  const responses: ServerResponse[] = [];
  const server = createServer((_request, response) => {
    responses.push(response);
    streams.serve(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { feed, streams, responses, url };
}

/** A page's connection to the stream: how many deliveries it read, and when it closed. */
async function openPage(url: string) {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, resolve).on('error', reject),
  );
  cleanup.push(() => void response.destroy());
  let text = '';
  response.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => response.on('close', () => resolve()));
  return { response, closed, deliveries: () => text.split('event: delivery\n').length - 1 };
}

/** A delivery of about 64 KB as the stream writes it (its signed headers carry the bulk). */
const bulkyDelivery = (n: number): InspectedDelivery => ({
  id: `d-${n}`,
  at: '',
  webhookId: 'w',
  target: 'http://127.0.0.1:1/',
  events: [],
  headers: { signature: 'x'.repeat(64 * 1024) },
  status: 200,
  error: undefined,
  latencyMs: 1,
});

describe('InspectorStreams and a page that reads slowly', () => {
  it('should drop a page that stops reading once it holds more than the unsent limit, not keep every message', async () => {
    const { feed, streams, responses, url } = await servedFeed();
    const page = await openPage(url);
    page.response.pause(); // a frozen background tab: connected, reading nothing
    let mostUnsent = 0;
    // 32 MiB, well past what the kernel's socket buffers take before the mock's queue grows.
    for (let n = 0; n < 512 && streams.size > 0; n++) {
      feed.delivery(bulkyDelivery(n), []);
      mostUnsent = Math.max(mostUnsent, responses[0]?.writableLength ?? 0);
      if (n % 16 === 0) await sleep(1); // let the socket hand what it can to the kernel
    }
    expect([streams.size, feed.listenerCount]).toEqual([0, 0]);
    // At most the limit and the one message that crossed it were ever queued.
    expect(mostUnsent).toBeLessThanOrEqual(MAX_UNSENT_BYTES + 70 * 1024);
    page.response.resume(); // the tab wakes up: it reads what was sent, then the end
    await page.closed; // so the page connects again, for a fresh snapshot
    expect(page.deliveries()).toBeLessThan(512);
  });

  it('should not drop a page for a snapshot larger than the limit, which it has yet to read', async () => {
    const { feed, streams, responses, url } = await servedFeed();
    // A history of 160 bulky deliveries: a snapshot of 10 MiB, more than the sockets take.
    for (let n = 0; n < 160; n++) feed.delivery(bulkyDelivery(n), []);
    const page = await openPage(url);
    page.response.pause(); // the page has not read the snapshot yet when the next delivery comes
    await sleep(20);
    expect(responses[0]?.writableLength).toBeGreaterThan(MAX_UNSENT_BYTES);
    feed.delivery(bulkyDelivery(160), []);
    expect([streams.size, feed.listenerCount]).toEqual([1, 1]);
    page.response.resume();
    await expect.poll(() => page.deliveries()).toBe(1); // the one after the snapshot
    expect([streams.size, feed.listenerCount]).toEqual([1, 1]);
  });

  it('should keep the stream of a page that reads, through a burst of many megabytes', async () => {
    const { feed, streams, url } = await servedFeed();
    const page = await openPage(url);
    for (let n = 0; n < 160; n++) {
      feed.delivery(bulkyDelivery(n), []);
      await sleep(1); // deliveries arrive one by one, not all in one tick
    }
    await expect.poll(() => page.deliveries()).toBe(160);
    expect([streams.size, feed.listenerCount]).toEqual([1, 1]);
  });
});
