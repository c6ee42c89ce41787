/**
 * Run by `npm run bench` in a fresh process with `--expose-gc`: how much memory the Node
 * delivery handler holds for a 1 MiB batch, measured when `onEvents` has the events (the body,
 * its text and the parsed events are all alive then), above the same process before the request.
 * Prints one line of Markdown.
 */
import { createNodeDeliveryHandler } from '../src/receiver/handler.js';
import { generateDeliveryKeyPair, signDelivery } from '../src/testing/deliveries.js';
import { serveOnLoopback } from '../src/test-support/loopback-server.js';
import { batchOfSize, benchEvent } from './events.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const inUse = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

const pair = generateDeliveryKeyPair();
const signed = signDelivery(batchOfSize(1024 * 1024 - 500), {
  keyId: pair.keyId,
  privateKey: pair.privateKey,
  url: 'https://tenant.tld/webhooks',
});
const bodyBytes = Buffer.byteLength(signed.body);

let held = Number.NaN;
const handler = createNodeDeliveryHandler({
  keys: pair.jwks,
  // The same batch five times: without deduplication onEvents sees each.
  dedupe: false,
  onEvents: () => {
    // What is alive at this point, garbage collected first: what the receiver holds on to.
    gc();
    held = inUse();
  },
});
const server = await serveOnLoopback((req, res) => void handler(req, res));
const url = `${server.url}/webhooks`;
// A small delivery first, so that code, caches and the connection pool are warm in the baseline.
const small = signDelivery([benchEvent(0)], {
  keyId: pair.keyId,
  privateKey: pair.privateKey,
  url: 'https://tenant.tld/webhooks',
});
await (
  await fetch(url, { method: 'POST', headers: small.headers, body: small.body })
).arrayBuffer();
// Five requests, each measured from a collected heap: the median, since what fetch and the
// socket still hold when onEvents runs varies from one request to the next.
const factors: number[] = [];
for (let round = 0; round < 5; round++) {
  gc();
  const before = inUse();
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`the handler answered ${response.status}`);
  if (Number.isNaN(held)) throw new Error('onEvents was not called');
  factors.push((held - before) / bodyBytes);
  held = Number.NaN;
}
await server.close();
factors.sort((a, b) => a - b);
const factor = factors[2] ?? 0;
console.log(
  `A ${(bodyBytes / 1024).toFixed(0)} KiB batch: ${factor.toFixed(1)}x the body alive while onEvents had its events, above the idle process (median of 5 requests, ${factors[0]?.toFixed(1)}x to ${factors[4]?.toFixed(1)}x; the sender's copy of the body, in this same process, included). Target: at most 4x.`,
);
