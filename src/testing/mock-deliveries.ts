import { randomUUID } from 'node:crypto';
import {
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryKeyPair,
} from '../deliveries/testing.js';
import type { Webhook } from '../types.js';

/**
 * One test delivery the mock sent.
 *
 * @example
 * ```ts
 * const [first]: readonly MockDeliveryRecord[] = mock.deliveries;
 * expect(first).toMatchObject({ webhookId: webhook.id, status: 200 });
 * ```
 */
export interface MockDeliveryRecord {
  readonly webhookId: string;
  readonly eventId: string;
  readonly target: string;
  /** The receiver's HTTP status, or undefined when the request failed. */
  readonly status: number | undefined;
  /** Why the request failed (network error), or undefined when the receiver answered. */
  readonly error: string | undefined;
}

/**
 * Where test events go: one URL, or one per webhook.
 *
 * @example
 * ```ts
 * const target: DeliveryTarget = (webhook) => `http://127.0.0.1:4001/hooks/${webhook.id}`;
 * ```
 */
export type DeliveryTarget = string | ((webhook: Webhook) => string);

/**
 * Sends the signed test event of `POST /webhooks/{id}/test`, after the 202 (the API processes
 * tests asynchronously, facts §2.3). Registered URLs are public HTTPS names a test cannot serve
 * (R1, R2), so events go to a configured target instead. The event's shape and `type` are
 * undocumented (facts §12.2); `WEBHOOK.TEST` is our choice. Signed like Upvest documents for
 * deliveries (v6 base, `digest: SHA-256=`, ECDSA P-521 DER) with a key generated on first use,
 * the one `GET /auth/verify_keys` serves by default.
 *
 * @example
 * ```ts
 * const deliveries = new TestDeliveries({ target: 'http://127.0.0.1:4001/hooks', now: () => new Date() });
 * deliveries.deliver(webhook);
 * await deliveries.settled();
 * ```
 */
export class TestDeliveries {
  readonly #records: MockDeliveryRecord[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #keys: DeliveryKeyPair | undefined;

  constructor(
    private readonly options: {
      readonly target?: DeliveryTarget | undefined;
      readonly eventType?: string | undefined;
      readonly now: () => Date;
    },
  ) {}

  /** The delivery key pair, generated once per mock on first use (P-521 generation costs ms). */
  get keys(): DeliveryKeyPair {
    this.#keys ??= generateDeliveryKeyPair();
    return this.#keys;
  }

  get records(): readonly MockDeliveryRecord[] {
    return [...this.#records];
  }

  /** Sends the test event of `webhook` in the background; without a target, nothing is sent. */
  deliver(webhook: Webhook): void {
    const { target: configured } = this.options;
    let target: string | undefined;
    try {
      target = typeof configured === 'function' ? configured(webhook) : configured;
      if (target !== undefined) this.#send(webhook, target);
    } catch (error) {
      // The API has accepted the test (202) whatever becomes of the delivery: record, not throw.
      this.#records.push({
        webhookId: webhook.id,
        eventId: '',
        target: target ?? '',
        status: undefined,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #send(webhook: Webhook, target: string): void {
    const { now } = this.options;
    const event = {
      id: randomUUID(),
      created_at: now().toISOString(),
      type: this.options.eventType ?? 'WEBHOOK.TEST',
      object: { webhook_id: webhook.id, title: webhook.title },
      webhook_id: webhook.id,
    };
    const signed = signDelivery([event], {
      keyId: this.keys.keyId,
      privateKey: this.keys.privateKey,
      url: target,
      now: Math.floor(now().getTime() / 1000),
    });
    const record = (status: number | undefined, error: string | undefined) =>
      void this.#records.push({ webhookId: webhook.id, eventId: event.id, target, status, error });
    const sending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        fetch(target, {
          method: 'POST',
          headers: signed.headers,
          body: signed.body,
          redirect: 'manual', // R3: receivers must not redirect; a 3xx is recorded, not followed
        }),
      )
      .then(
        async (response) => {
          await response.body?.cancel();
          record(response.status, undefined);
        },
        (error: unknown) =>
          record(undefined, error instanceof Error ? error.message : String(error)),
      )
      .finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  /** Resolves when every delivery under way has been answered or has failed. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Forgets the records; deliveries under way still complete and are recorded. */
  clear(): void {
    this.#records.length = 0;
  }
}
