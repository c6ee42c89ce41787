import { MAX_PACKAGE_SIZE } from '../rules/package-size.js';
import { randomUUID } from 'node:crypto';
import { eventCategory } from '../receiver/events.js';
import {
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
  type DeliveryKeyPair,
} from './deliveries.js';
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
  /** The delivery's own id (a UUID): what `POST /__mock/deliveries/{id}/redeliver` takes. */
  readonly id: string;
  readonly webhookId: string;
  /** The first event of the delivery (a test delivery has one); `''` when none was built. */
  readonly eventId: string;
  /** Every event of the delivery, in the order sent. */
  readonly eventIds: readonly string[];
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
 * A delivery once answered or failed, with what its record leaves out: the events themselves,
 * the headers it was sent with, when and how fast it was answered. The inspector shows it.
 *
 * @example
 * ```ts
 * const onDelivered = (detail: DeliveryDetail) => seen.push(detail.latencyMs);
 * ```
 */
export interface DeliveryDetail {
  readonly record: MockDeliveryRecord;
  readonly events: readonly DeliveryEventInput[];
  readonly headers: Readonly<Record<string, string>>;
  /** When it was sent, on the mock's clock. */
  readonly sentAt: Date;
  /** Milliseconds from sending to the answer or the failure (a monotonic clock). */
  readonly latencyMs: number | undefined;
  /** The delivery this one repeats, for a redelivery. */
  readonly redeliveryOf: string | undefined;
}

/**
 * Whether a webhook receives an event of this type: it is enabled, and subscribed to `ALL` (R7)
 * or to the event's category.
 *
 * @example
 * ```ts
 * receives({ ...webhook, enabled: true, type: ['ORDER'] }, 'ORDER.FILLED'); // true
 * ```
 */
export function receives(webhook: Webhook, type: string): boolean {
  const categories: readonly string[] = webhook.type;
  return (
    webhook.enabled && (categories.includes('ALL') || categories.includes(eventCategory(type)))
  );
}

/**
 * Splits events, in order, into deliveries whose body (`{"payload":[…]}`) has at most
 * `maxPackageSize` bytes (R6, R12); an event larger than the limit on its own is still sent,
 * alone (R6). A webhook without a limit is batched at the spec's largest, 1 MiB: one delivery of
 * everything (7,000 events were 11.8 MB) would exceed what receivers accept, and under Upvest's
 * retries block the stream for good (R16).
 *
 * @example
 * ```ts
 * batchesOf(events, 10_240); // [[e1, e2, …], [e9, …]]
 * batchesOf(events); // at most 1 MiB each
 * ```
 */
export function batchesOf<T>(
  events: readonly T[],
  maxPackageSize: number = MAX_PACKAGE_SIZE,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  const envelope = Buffer.byteLength('{"payload":[]}');
  let size = envelope;
  for (const event of events) {
    const bytes = Buffer.byteLength(JSON.stringify(event));
    // One comma between events.
    const grown = size + bytes + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && grown > maxPackageSize) {
      batches.push(batch);
      batch = [];
      size = envelope;
    }
    size += bytes + (batch.length > 0 ? 1 : 0);
    batch.push(event);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

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
  /**
   * The last delivery under way per webhook: a webhook's next batch goes out once the one before
   * is answered, as Upvest sends the next batch after a 2xx (docs/deliveries.md). Events are not
   * ordered across requests (R13), but one subscription's batches are not sent all at once.
   */
  readonly #lastPerWebhook = new Map<string, Promise<void>>();
  #keys: DeliveryKeyPair | undefined;

  constructor(
    private readonly options: {
      readonly target?: DeliveryTarget | undefined;
      readonly eventType?: string | undefined;
      readonly now: () => Date;
      /** Told of each delivery once answered or failed (the inspector's hook). */
      readonly onDelivered?: ((detail: DeliveryDetail) => void) | undefined;
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

  /** Whether deliveries go anywhere: without a target, nothing is sent. */
  get hasTarget(): boolean {
    return this.options.target !== undefined;
  }

  /** Sends the test event of `webhook` in the background; without a target, nothing is sent. */
  deliver(webhook: Webhook): void {
    const event = {
      id: randomUUID(),
      created_at: this.options.now().toISOString(),
      type: this.options.eventType ?? 'WEBHOOK.TEST',
      object: { webhook_id: webhook.id, title: webhook.title },
      webhook_id: webhook.id,
    };
    this.deliverEvents(webhook, [event]);
  }

  /**
   * Sends `events` to `webhook`'s target in the background, as one signed delivery; without a
   * target, nothing is sent. `redeliveryOf` names the delivery a redelivery repeats.
   */
  deliverEvents(
    webhook: Webhook,
    events: readonly DeliveryEventInput[],
    redeliveryOf?: string,
  ): void {
    const { target: configured } = this.options;
    let target: string | undefined;
    try {
      target = typeof configured === 'function' ? configured(webhook) : configured;
      if (target !== undefined) this.#send(webhook, target, events, redeliveryOf);
    } catch (error) {
      // The API has accepted the request whatever becomes of the delivery: record, not throw.
      const record: MockDeliveryRecord = {
        id: randomUUID(),
        webhookId: webhook.id,
        eventId: '',
        eventIds: [],
        target: target ?? '',
        status: undefined,
        error: error instanceof Error ? error.message : String(error),
      };
      this.#records.push(record);
      this.options.onDelivered?.({
        record,
        events,
        headers: {},
        sentAt: this.options.now(),
        latencyMs: undefined,
        redeliveryOf,
      });
    }
  }

  #send(
    webhook: Webhook,
    target: string,
    events: readonly DeliveryEventInput[],
    redeliveryOf: string | undefined,
  ): void {
    const { now, onDelivered } = this.options;
    const signed = signDelivery(events, {
      keyId: this.keys.keyId,
      privateKey: this.keys.privateKey,
      url: target,
      now: Math.floor(now().getTime() / 1000),
    });
    const eventIds = events.map((event) => event.id);
    const id = randomUUID();
    let sentAt = now();
    let started = 0;
    const record = (status: number | undefined, error: string | undefined) => {
      const done: MockDeliveryRecord = {
        id,
        webhookId: webhook.id,
        eventId: eventIds[0] ?? '',
        eventIds,
        target,
        status,
        error,
      };
      this.#records.push(done);
      const latencyMs = Math.round(performance.now() - started);
      onDelivered?.({
        record: done,
        events,
        headers: signed.headers,
        sentAt,
        latencyMs,
        redeliveryOf,
      });
    };
    const before = this.#lastPerWebhook.get(webhook.id) ?? Promise.resolve();
    const sending = before
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        sentAt = now();
        started = performance.now();
        return fetch(target, {
          method: 'POST',
          headers: signed.headers,
          body: signed.body,
          redirect: 'manual', // R3: receivers must not redirect; a 3xx is recorded, not followed
        });
      })
      .then(
        async (response) => {
          await response.body?.cancel();
          record(response.status, undefined);
        },
        (error: unknown) =>
          record(undefined, error instanceof Error ? error.message : String(error)),
      )
      .finally(() => {
        this.#inFlight.delete(sending);
        if (this.#lastPerWebhook.get(webhook.id) === sending)
          this.#lastPerWebhook.delete(webhook.id);
      });
    this.#inFlight.add(sending);
    this.#lastPerWebhook.set(webhook.id, sending);
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
