/**
 * Run by `npm run bench` in a fresh process with `--expose-gc`: how much memory the Node
 * delivery handler holds for a 1 MiB batch, measured when `onEvents` has the events (the body,
 * its text and the parsed events are all alive then), above the same process before the request.
 * Prints one line of Markdown.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeDeliveryHandler } from '../src/deliveries/handler.js';
import { generateDeliveryKeyPair, signDelivery } from '../src/deliveries/testing.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const inUse = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

const pair = generateDeliveryKeyPair();
const events: object[] = [];
const event = () => ({
  id: randomUUID(),
  created_at: `2021-11-19T13:06:57.${String(events.length).padStart(9, '0')}Z`,
  type: 'USER.CREATED',
  object: { id: randomUUID(), name: 'x'.repeat(200) },
  webhook_id: randomUUID(),
});
while (JSON.stringify({ payload: events }).length < 1024 * 1024 - 500) events.push(event());
const signed = signDelivery(events as Parameters<typeof signDelivery>[0], {
  keyId: pair.keyId,
  privateKey: pair.privateKey,
  url: 'https://tenant.tld/webhooks',
});
const bodyBytes = Buffer.byteLength(signed.body);
events.length = 0;

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
const server = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
// A small delivery first, so that code, caches and the connection pool are warm in the baseline.
const small = signDelivery([event()], {
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
server.close();
factors.sort((a, b) => a - b);
const factor = factors[2] ?? 0;
console.log(
  `A ${(bodyBytes / 1024).toFixed(0)} KiB batch: ${factor.toFixed(1)}x the body alive while onEvents had its events, above the idle process (median of 5 requests, ${factors[0]?.toFixed(1)}x to ${factors[4]?.toFixed(1)}x; the sender's copy of the body, in this same process, included). Target: at most 4x.`,
);
