// Receiving deliveries end to end on loopback: a Node handler verifies what the embedded mock
// sends when a webhook is tested. CI runs it (examples/examples.test.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhooksClient, type WebhooksClient } from 'upvest-webhooks';
import {
  createNodeDeliveryHandler,
  createVerificationKeyProvider,
  isEventOfCategory,
} from 'upvest-webhooks/receiver';
import { startMockServer } from 'upvest-webhooks/testing';

// The handler needs the client for keys, and the client's mock needs the handler's URL.
const api: { client?: WebhooksClient } = {};
const handler = createNodeDeliveryHandler({
  // Upvest's keys, fetched through the client and refetched when a key id is new.
  keys: createVerificationKeyProvider({ fetchKeys: () => api.client!.verificationKeys() }),
  onEvents(events, { signature }) {
    for (const event of events) {
      if (!event.known)
        console.log(
          `received ${event.type} (a type this version does not know), ${signature.format}`,
        );
      else if (isEventOfCategory(event, 'USER')) console.log(`user event ${event.type}`);
    }
  },
});
const receiver = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/users`;

// The mock stands in for Upvest: it delivers test events to our receiver.
const mock = await startMockServer({ deliveryTarget: target });
const client = (api.client = createWebhooksClient({
  baseUrl: mock.url,
  clientId: mock.credentials.clientId,
  clientSecret: mock.credentials.clientSecret,
  keyId: mock.credentials.keyId,
  privateKey: mock.credentials.privateKey!,
}));
const webhook = await client.create({
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
});
await client.enable(webhook.id);
await client.test(webhook.id);
await mock.deliveriesSettled();
console.log(`delivery answered ${mock.deliveries[0]?.status}`);

await mock.close();
receiver.close();
