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
  /**
   * Waits until a delivery for the webhook verified, or `timeoutMs` passed, and says which:
   * a real server delivers when it gets to it.
   */
  waitFor(webhookId: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

/**
 * Starts a {@link TestDeliveryReceiver} on 127.0.0.1, on `port` or a free one (a tunnel or a
 * relay forwards a real server's deliveries to a port it knows).
 *
 * @example
 * ```ts
 * const receiver = await startTestDeliveryReceiver();
 * const mock = await startMockServer({ deliveryTarget: receiver.url });
 * ```
 */
export async function startTestDeliveryReceiver(port = 0): Promise<TestDeliveryReceiver> {
  let fetchKeys: (() => Promise<JsonWebKeySet>) | undefined;
  const verified = new Map<string, string>();
  const misnamed = new Map<string, string>();
  const refused: string[] = [];
  const handler = createNodeDeliveryHandler({
    keys: createVerificationKeyProvider({
      fetchKeys: () => (fetchKeys ? fetchKeys() : Promise.reject(new Error('no key source yet'))),
    }),
    onEvents: (events, context) => {
      const { signature } = context;
      for (const event of events) {
        // Verified with a served key, but one the keyid does not name: a receiver that looks
        // keys up by kid (what `keyid` implies) refuses it.
        if (signature.keyMatchedBy !== 'kid') {
          misnamed.set(
            event.webhook_id,
            `signed with a key /auth/verify_keys serves, but its keyid ${JSON.stringify(signature.keyId)} is the kid of none of them`,
          );
          continue;
        }
        verified.set(
          event.webhook_id,
          `${event.type} verified (${signature.format}, ${signature.digestHeader} digest, keyid the served kid)`,
        );
      }
    },
  });
  const server = createServer((request, response) => {
    void handler(request, response).then(() => {
      if (response.statusCode !== 200) refused.push(`HTTP ${response.statusCode}`);
    });
  });
  const base = await listenOnLoopback(server, port);
  const receiver: TestDeliveryReceiver = {
    url: `${base}/webhooks`,
    setKeySource(source) {
      fetchKeys = source;
    },
    verdictFor(webhookId) {
      const seen = verified.get(webhookId);
      if (seen) return { ok: true, detail: seen };
      const wrongKeyId = misnamed.get(webhookId);
      if (wrongKeyId) return { ok: false, detail: wrongKeyId };
      return {
        ok: false,
        detail:
          refused.length > 0
            ? `the receiver refused it: ${refused.join(', ')}`
            : 'no delivery arrived',
      };
    },
    async waitFor(webhookId, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (!verified.has(webhookId) && !misnamed.has(webhookId) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const verdict = receiver.verdictFor(webhookId);
      return verdict.ok || refused.length > 0
        ? verdict
        : { ok: false, detail: `no delivery arrived within ${timeoutMs} ms` };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return receiver;
}
