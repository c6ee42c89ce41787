import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { createNodeDeliveryHandler } from '../receiver/handler.js';
import { createVerificationKeyProvider } from '../receiver/keys.js';
import type { DeliveryEvent } from '../receiver/events.js';
import type { DeliveryContext } from '../receiver/processor.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import { startMockServer } from './mock-server.js';

describe('register -> enable -> test -> receive -> verify, on loopback', () => {
  it('should deliver a signed test event that the delivery handler verifies with the keys from the API', async () => {
    const received: { events: readonly DeliveryEvent[]; context: DeliveryContext }[] = [];
    let client: ReturnType<typeof createWebhooksClient> | undefined;
    const handler = createNodeDeliveryHandler({
      keys: createVerificationKeyProvider({ fetchKeys: () => client!.verificationKeys() }),
      onEvents: (events, context) => void received.push({ events, context }),
    });
    const receiver = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/users`;
    const mock = await startMockServer({ deliveryTarget: target });
    try {
      client = createWebhooksClient({
        baseUrl: mock.url,
        clientId: mock.credentials.clientId,
        accessToken: mock.issueToken(['webhooks:admin']),
        signer: createUpvestSigner({
          keyId: mock.credentials.keyId,
          privateKey: mock.credentials.privateKey!,
        }),
      });
      const webhook = await client.create({
        title: 'User webhook',
        url: 'https://tenant.tld/webhooks/users',
        type: ['USER'],
        config: { delay: '2s', max_package_size: 51200 },
      });
      await client.enable(webhook.id);
      await client.test(webhook.id);
      await mock.deliveriesSettled();

      expect(mock.deliveries).toEqual([
        expect.objectContaining({ webhookId: webhook.id, status: 200 }),
      ]);
      expect(received).toHaveLength(1);
      const [event] = received[0]?.events ?? [];
      expect(event).toMatchObject({ known: false, type: 'WEBHOOK.TEST', webhook_id: webhook.id });
      expect(received[0]?.context.signature).toMatchObject({
        format: 'upvest-v6',
        digestHeader: 'digest',
        ecdsaEncoding: 'der',
      });
    } finally {
      await mock.close();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
