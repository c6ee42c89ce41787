/**
 * Receiver conformance: tests a tenant's webhook endpoint the way Upvest will call it. What it
 * can prove from the outside is what the endpoint answers; whether it also acted on an event
 * (stored it once, not twice) it cannot see, and says so in the report.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  createDeliveryEvent,
  deliveryKeyPairOf,
  signDelivery,
  type DeliveryEventInput,
  type SignedDelivery,
} from '../../src/testing/index.js';
import type { JsonWebKeySet } from '../../src/index.js';
import { CheckLog, type CheckResult } from '../report/results.js';
import type { ConformanceReport } from '../run/run.js';

/**
 * Options of {@link runReceiverConformance}.
 *
 * @example
 * ```ts
 * const options: ReceiverConformanceOptions = { url: 'http://localhost:8080/webhooks/upvest', key };
 * ```
 */
export interface ReceiverConformanceOptions {
  /** The endpoint Upvest delivers to; its path is signed. */
  readonly url: string;
  /** The key the endpoint trusts (its `kid` in the JWKS it verifies with); default a fresh one. */
  readonly key?: { readonly keyId: string; readonly privateKey: KeyObject };
  /** How long an acknowledgement may take before it is reported as slow (default 5000 ms). */
  readonly ackBudgetMs?: number;
  /** The `fetch` to send with (default the global one). */
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The JWKS of a key, to configure the endpoint under test with (or serve to it).
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(jwksOf(key)));
 * ```
 */
export function jwksOf(key: { keyId: string; privateKey: KeyObject }): JsonWebKeySet {
  return deliveryKeyPairOf(key.keyId, key.privateKey).jwks;
}

/**
 * A fresh EC P-521 signing key under a new `keyid`.
 *
 * @example
 * ```ts
 * const key = freshReceiverKey();
 * ```
 */
export function freshReceiverKey(): { keyId: string; privateKey: KeyObject } {
  return {
    keyId: randomUUID(),
    privateKey: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
  };
}

/**
 * Runs the receiver checks against `options.url` and reports like the API profiles (summary,
 * JUnit and JSON writers take the result). Never throws for a failing endpoint.
 *
 * @example
 * ```ts
 * const key = freshReceiverKey();
 * // configure the endpoint with jwksOf(key), then:
 * const report = await runReceiverConformance({ url, key });
 * console.log(toSummary(report));
 * ```
 */
export async function runReceiverConformance(
  options: ReceiverConformanceOptions,
): Promise<ConformanceReport> {
  const started = Date.now();
  const key = options.key ?? freshReceiverKey();
  const budget = options.ackBudgetMs ?? 5_000;
  const send = options.fetch ?? globalThis.fetch;
  const log = new CheckLog();
  const sign = (
    events: readonly DeliveryEventInput[],
    extra: Partial<Parameters<typeof signDelivery>[1]> = {},
  ) => signDelivery(events, { ...key, url: options.url, ...extra });

  async function deliver(delivery: SignedDelivery, body = delivery.body) {
    const begun = Date.now();
    try {
      const response = await send(options.url, {
        method: 'POST',
        headers: delivery.headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.max(budget * 2, 10_000)),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: Date.now() - begun };
    } catch (error) {
      return {
        status: undefined,
        ms: Date.now() - begun,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
  const where = (name: string) => ({
    profile: 'receiver' as const,
    operation: 'receive_delivery',
    case: name,
  });
  const accepted = (status: number | undefined) =>
    status !== undefined && status >= 200 && status < 300;
  const refused = (status: number | undefined) =>
    status !== undefined && status >= 400 && status < 500;

  // A valid batch: acknowledged with 2xx, within the budget.
  const batch = [
    createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: randomUUID() } }),
    createDeliveryEvent({ type: 'USER.CREATED', object: { id: randomUUID() } }),
  ];
  const valid = sign(batch);
  const first = await deliver(valid);
  log.expect(
    where('a valid signed batch'),
    'acknowledged with 2xx',
    accepted(first.status),
    `HTTP ${first.status ?? `none (${first.error ?? ''})`}`,
  );
  log.expect(
    where('a valid signed batch'),
    `acknowledged within ${budget} ms`,
    first.ms <= budget,
    `${first.ms} ms: Upvest blocks later deliveries while a batch waits (R16); persist and work later (R17)`,
  );

  // The same batch again after a 2xx: Upvest redelivers; the answer must still be 2xx.
  const again = await deliver(valid);
  log.expect(
    where('the same batch redelivered after a 2xx'),
    'acknowledged with 2xx again (idempotent)',
    accepted(again.status),
    `HTTP ${again.status ?? 'none'}: a receiver that refuses a redelivery blocks its event stream (R15, R16)`,
  );

  // Attacks: each must be refused with a 4xx, or anyone can feed the endpoint events.
  const attacks: [string, () => Promise<{ status: number | undefined }>][] = [
    [
      'no signature',
      () => {
        const { signature: _s, 'signature-input': _i, ...headers } = valid.headers;
        return deliver({ ...valid, headers });
      },
    ],
    [
      'a body changed after signing',
      () => deliver(valid, valid.body.replace('ORDER.FILLED', 'ORDER.NEW___')),
    ],
    [
      'a signature that expired an hour ago',
      () => deliver(sign(batch, { now: Math.floor(Date.now() / 1000) - 3600 })),
    ],
    [
      'a signature under an unknown key id',
      () => deliver(signDelivery(batch, { ...freshReceiverKey(), url: options.url })),
    ],
    [
      'a signature by another key under the trusted key id',
      () =>
        deliver(signDelivery(batch, { ...freshReceiverKey(), keyId: key.keyId, url: options.url })),
    ],
  ];
  for (const [name, attack] of attacks) {
    const { status } = await attack();
    log.expect(
      where(name),
      'refused with 4xx',
      refused(status),
      refused(status)
        ? `HTTP ${status}`
        : `HTTP ${status ?? 'none'}: the endpoint ${accepted(status) ? 'accepted' : 'did not refuse'} ${name}; that is a security bug`,
    );
  }

  // One event larger than the largest max_package_size is still delivered whole (R6).
  const huge = createDeliveryEvent({
    type: 'REPORT.CREATED',
    object: { id: randomUUID(), padding: 'x'.repeat(1_100_000) },
  });
  const big = await deliver(sign([huge]));
  log.expect(
    where('a single event above 1 MiB (R6)'),
    'acknowledged with 2xx',
    accepted(big.status),
    `HTTP ${big.status ?? 'none'}: Upvest sends an event larger than max_package_size whole`,
  );

  // A type this endpoint cannot know yet: Upvest adds event types.
  const unknownType = createDeliveryEvent({
    type: 'FUTURE_CATEGORY.SOMETHING_NEW',
    object: { id: randomUUID() },
  });
  const future = await deliver(sign([unknownType]));
  log.expect(
    where('an event type added after this endpoint was written'),
    'acknowledged with 2xx',
    accepted(future.status),
    `HTTP ${future.status ?? 'none'}: an unknown type must not block the stream`,
  );

  const results: CheckResult[] = [
    ...log.results,
    {
      ...where('what it cannot see'),
      check: 'side effects',
      outcome: 'skip',
      detail:
        'from outside, the run sees answers only: whether each event was stored once (not twice after the redelivery) is for your own tests',
    },
  ];
  const counts = {
    pass: results.filter((r) => r.outcome === 'pass').length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    skip: results.filter((r) => r.outcome === 'skip').length,
    warn: 0,
  };
  return {
    target: `receiver ${options.url}`,
    profiles: [],
    preferHeader: false,
    stateful: false,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    drift: [],
    results,
    coverage: [],
    counts,
    passed: counts.fail === 0,
  };
}
