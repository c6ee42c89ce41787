import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { EcdsaEncoding } from '../signing/algorithm-names.js';
import type { BaseFormat } from '../signing/base.js';
import type { KeyInput } from '../signing/keys.js';
import type { JsonWebKey, JsonWebKeySet } from '../types.js';
import type { DigestHeader } from '../receiver/verify.js';
import { webhookEventTypesByCategory } from '../../generated/constants.js';
import { contentDigestSync, legacyDigestSync, signRequestSync } from './sign-sync.js';
import {
  isKnownEventType,
  type WebhookEventCategory,
  type WebhookEventType,
} from '../receiver/events.js';

/**
 * An event to deliver: the fields every delivered event has (the spec's `WebhookEventFields`).
 * `type` may be any string, to test how a receiver treats types it does not know.
 *
 * @example
 * ```ts
 * const event: DeliveryEventInput = {
 *   id: randomUUID(),
 *   created_at: '2021-11-19T13:06:57.820371265Z',
 *   type: 'USER.CREATED',
 *   object: { id: userId },
 *   webhook_id: webhookId,
 * };
 * ```
 */
export interface DeliveryEventInput {
  readonly id: string;
  readonly created_at: string;
  // `string & {}` keeps editor completion for the documented types while allowing any string.
  readonly type: WebhookEventType | (string & {});
  readonly object: Record<string, unknown>;
  readonly webhook_id: string;
}

let lastNanos = 0n;

/**
 * Now as an RFC 3339 UTC timestamp with nine fraction digits, strictly increasing between calls,
 * so events created one after the other are in `created_at` order.
 */
function nanosecondTimestamp(): string {
  const candidate = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  lastNanos = candidate > lastNanos ? candidate : lastNanos + 1n;
  const iso = new Date(Number(lastNanos / 1_000_000n)).toISOString(); // …T13:06:57.820Z
  return `${iso.slice(0, -1)}${(lastNanos % 1_000_000n).toString().padStart(6, '0')}Z`;
}

/**
 * A valid delivered event for tests: a fresh `id`, `created_at` now with nine fraction digits,
 * `USER.CREATED`, an empty `object`, a fresh `webhook_id`; override any field.
 *
 * @example
 * ```ts
 * const delivery = signDelivery(
 *   [createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: orderId } })],
 *   { ...pair, url: 'https://tenant.tld/webhooks/upvest' },
 * );
 * ```
 */
export function createDeliveryEvent(
  overrides: Partial<DeliveryEventInput> = {},
): DeliveryEventInput {
  return {
    id: randomUUID(),
    created_at: nanosecondTimestamp(),
    type: 'USER.CREATED',
    object: {},
    webhook_id: randomUUID(),
    ...overrides,
  };
}

/**
 * Options of {@link signDelivery}. The defaults follow what Upvest documents for deliveries:
 * the v6 base format, a `digest: SHA-256=` header, ECDSA P-521 in DER, a 60 s window.
 *
 * @example
 * ```ts
 * const options: SignDeliveryOptions = {
 *   keyId: pair.keyId,
 *   privateKey: pair.privateKey,
 *   url: 'https://tenant.tld/webhooks/upvest',
 *   format: 'rfc9421',
 *   digest: 'content-digest',
 *   ecdsaEncoding: 'ieee-p1363',
 * };
 * ```
 */
export interface SignDeliveryOptions {
  /** The `keyid` parameter: the `kid` of the key in the JWKS the receiver verifies with. */
  readonly keyId: string;
  readonly privateKey: KeyInput;
  /** The signature base format (default `upvest-v6`, unquoted names). */
  readonly format?: BaseFormat;
  /** The digest header (default `digest`, `SHA-256=`; `content-digest` is `sha-512`). */
  readonly digest?: DigestHeader;
  /** Default `der`, as Upvest's signers emit; `ieee-p1363` is raw r‖s. */
  readonly ecdsaEncoding?: EcdsaEncoding;
  /** `created`, in Unix seconds; default now. */
  readonly now?: number;
  /** `expires` is `created` plus this (default 60 s). */
  readonly expiresInSeconds?: number;
  /**
   * The URL the delivery is addressed to, as the receiver will see it: `@path` covers its path,
   * so a delivery signed for one path fails on a receiver mounted at another. Required, since
   * no default can match where a receiver is mounted.
   */
  readonly url: string;
  /**
   * Covered components (default `@method`, `@path`, `content-type`, `content-length` and the
   * digest header). The headers named must be among the delivery's headers.
   */
  readonly components?: readonly string[];
  /** Headers to add to the delivery (and cover, if listed in `components`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The exact body to sign and send instead of `{"payload": events}`: to test a receiver with
   * malformed JSON, an invalid event, or a body larger than its limit.
   */
  readonly body?: string;
}

/**
 * A signed delivery: POST `body` with `headers` to `url`.
 *
 * @example
 * ```ts
 * const { url, headers, body }: SignedDelivery = signDelivery([event], { ...pair, url: 'https://tenant.tld/hooks' });
 * ```
 */
export interface SignedDelivery {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Signs a batch of events the way Upvest signs deliveries, so tests can POST it to a handler (or
 * pass it to `verifyDelivery`). Each call signs afresh (new nonce); ECDSA signatures are
 * randomized.
 *
 * @example
 * ```ts
 * const pair = generateDeliveryKeyPair();
 * const delivery = signDelivery([createDeliveryEvent()], { ...pair, url: handlerUrl });
 * const response = await fetch(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body });
 * ```
 */
export function signDelivery(
  events: readonly DeliveryEventInput[],
  options: SignDeliveryOptions,
): SignedDelivery {
  const url = options.url;
  const body = options.body ?? JSON.stringify({ payload: events });
  const digestHeader = options.digest ?? 'digest';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [digestHeader]: digestHeader === 'digest' ? legacyDigestSync(body) : contentDigestSync(body),
    ...options.headers,
  };
  const created = options.now ?? Math.floor(Date.now() / 1000);
  // Synchronous on node:crypto, as the mock and the CLI call it (the signing entry's is async).
  const signed = signRequestSync(
    { method: 'POST', url, headers, body },
    {
      keyId: options.keyId,
      privateKey: options.privateKey,
      created,
      expires: created + (options.expiresInSeconds ?? 60),
      nonce: randomUUID(),
      components: options.components ?? [
        '@method',
        '@path',
        'content-type',
        'content-length',
        digestHeader,
      ],
      baseFormat: options.format ?? 'upvest-v6',
      ecdsaEncoding: options.ecdsaEncoding ?? 'der',
    },
  );
  return { url, headers: { ...headers, ...signed.headers }, body };
}

/**
 * A throwaway EC P-521 key pair shaped like Upvest's delivery keys.
 *
 * @example
 * ```ts
 * const { keyId, privateKey, jwks }: DeliveryKeyPair = generateDeliveryKeyPair();
 * ```
 */
export interface DeliveryKeyPair {
  /** The `kid` of the public key, and the `keyid` to sign with. */
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** The JWKS a receiver verifies with, as `GET /auth/verify_keys` serves it. */
  readonly jwks: JsonWebKeySet;
}

/**
 * Generates an EC P-521 key pair for tests, with the JWKS to verify with. Serve `jwks` from a
 * mock's `GET /auth/verify_keys`, or pass it as `keys` to a handler.
 *
 * @example
 * ```ts
 * const pair = generateDeliveryKeyPair();
 * const handler = createNodeDeliveryHandler({ keys: pair.jwks, onEvents });
 * const delivery = signDelivery([createDeliveryEvent()], { ...pair, url: 'https://tenant.tld/hooks' });
 * ```
 */
export function generateDeliveryKeyPair(
  options: { readonly keyId?: string } = {},
): DeliveryKeyPair {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  return deliveryKeyPairOf(options.keyId ?? randomUUID(), privateKey);
}

/**
 * The delivery key pair of an EC P-521 private key you already have (a PEM file, say): its
 * public JWK under `keyId`, and the JWKS a receiver verifies with.
 *
 * @example
 * ```ts
 * const pair = deliveryKeyPairOf('my-kid', createPrivateKey(await readFile('key.pem', 'utf8')));
 * console.log(JSON.stringify(pair.jwks));
 * ```
 */
export function deliveryKeyPairOf(keyId: string, privateKey: KeyObject): DeliveryKeyPair {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: JsonWebKey = {
    kid: keyId,
    kty: 'EC',
    crv: 'P-521',
    x: String(jwk.x),
    y: String(jwk.y),
  };
  return { keyId, privateKey, publicJwk, jwks: { keys: [publicJwk] } };
}

/**
 * The documented event types a name stands for: the type itself, or every type of a category
 * (`ORDER` -> `ORDER.FILLED`, `ORDER.CANCELLED`, …); an empty list for a name that is neither.
 * `ALL` is a webhook category (R7), not an event category, and names no types here.
 *
 * @example
 * ```ts
 * eventTypesNamed('USER.CREATED'); // ['USER.CREATED']
 * eventTypesNamed('USER_CHECK'); // ['USER_CHECK.PASSED', …]
 * eventTypesNamed('USER.CREATE'); // []
 * ```
 */
export function eventTypesNamed(name: string): readonly WebhookEventType[] {
  if (isKnownEventType(name)) return [name];
  return Object.hasOwn(webhookEventTypesByCategory, name)
    ? webhookEventTypesByCategory[name as WebhookEventCategory]
    : [];
}
