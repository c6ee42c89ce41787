import { createServer } from 'node:http';
import {
  createNodeDeliveryHandler,
  createVerificationKeyProvider,
  type JsonWebKeySet,
} from '../../src/receiver/index.js';
import { listenOnLoopback } from './loopback.js';

/**
 * A loopback receiver for the embedded mock's test deliveries, verifying them like a tenant.
 *
 * @example
 * ```ts
 * const receiver = await startTestDeliveryReceiver();
 * receiver.setKeySource(() => client.verificationKeys());
 * // … client.test(id), then:
 * console.log(receiver.verdictFor(id));
 * await receiver.close();
 * ```
 */
export interface TestDeliveryReceiver {
  readonly url: string;
  /** Where the receiver gets the verification keys (the run's client, `GET /auth/verify_keys`). */
  setKeySource(fetchKeys: () => Promise<JsonWebKeySet>): void;
  /** Whether a verified delivery for the webhook arrived, and what was seen. */
  verdictFor(webhookId: string): { ok: boolean; detail: string };
  close(): Promise<void>;
}

/**
 * Starts a {@link TestDeliveryReceiver} on 127.0.0.1 with a free port.
 *
 * @example
 * ```ts
 * const receiver = await startTestDeliveryReceiver();
 * const mock = await startMockServer({ deliveryTarget: receiver.url });
 * ```
 */
export async function startTestDeliveryReceiver(): Promise<TestDeliveryReceiver> {
  let fetchKeys: (() => Promise<JsonWebKeySet>) | undefined;
  const verified = new Map<string, string>();
  const refused: string[] = [];
  const handler = createNodeDeliveryHandler({
    keys: createVerificationKeyProvider({
      fetchKeys: () => (fetchKeys ? fetchKeys() : Promise.reject(new Error('no key source yet'))),
    }),
    onEvents: (events, context) => {
      for (const event of events) {
        verified.set(
          event.webhook_id,
          `${event.type} verified (${context.signature.format}, ${context.signature.digestHeader ?? 'no'} digest)`,
        );
      }
    },
  });
  const server = createServer((request, response) => {
    void handler(request, response).then(() => {
      if (response.statusCode !== 200) refused.push(`HTTP ${response.statusCode}`);
    });
  });
  const base = await listenOnLoopback(server);
  return {
    url: `${base}/webhooks`,
    setKeySource(source) {
      fetchKeys = source;
    },
    verdictFor(webhookId) {
      const seen = verified.get(webhookId);
      if (seen) return { ok: true, detail: seen };
      return {
        ok: false,
        detail:
          refused.length > 0
            ? `the receiver refused it: ${refused.join(', ')}`
            : 'no delivery arrived',
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
