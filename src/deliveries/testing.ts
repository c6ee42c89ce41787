import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { EcdsaEncoding } from '../signing/algorithms.js';
import type { BaseFormat } from '../signing/base.js';
import { contentDigest, legacyDigest } from '../signing/digest.js';
import type { KeyInput } from '../signing/keys.js';
import { signRequest } from '../signing/sign.js';
import type { JsonWebKey, JsonWebKeySet } from '../types.js';

/** An event to deliver: the fields of a delivered event (see the spec's `WebhookEventFields`). */
export interface DeliveryEventInput {
  readonly id: string;
  readonly created_at: string;
  readonly type: string;
  readonly object: Record<string, unknown>;
  readonly webhook_id: string;
}

/**
 * Options of {@link signDelivery}. The defaults follow what Upvest documents for deliveries:
 * the v6 base format, a `digest: SHA-256=` header, ECDSA P-521 with DER.
 *
 * @example
 * ```ts
 * const options: SignDeliveryOptions = { keyId: pair.keyId, privateKey: pair.privateKey, format: 'rfc9421', digest: 'content-digest' };
 * ```
 */
export interface SignDeliveryOptions {
  readonly keyId: string;
  readonly privateKey: KeyInput;
  readonly format?: BaseFormat;
  readonly digest?: 'digest' | 'content-digest';
  readonly ecdsaEncoding?: EcdsaEncoding;
  /** Unix seconds; default now. */
  readonly now?: number;
  readonly expiresInSeconds?: number;
  /** The URL the delivery is addressed to (covered through `@path`). */
  readonly url?: string;
}

/** A signed delivery: the headers and the exact body to POST. */
export interface SignedDelivery {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Signs a batch of events the way Upvest signs deliveries, so tests can POST it to a handler.
 *
 * @example
 * ```ts
 * const pair = generateDeliveryKeyPair();
 * const delivery = signDelivery([event], pair);
 * await fetch(handlerUrl, { method: 'POST', headers: delivery.headers, body: delivery.body });
 * ```
 */
export function signDelivery(
  events: readonly DeliveryEventInput[],
  options: SignDeliveryOptions,
): SignedDelivery {
  const url = options.url ?? 'https://tenant.tld/webhooks';
  const body = JSON.stringify({ payload: events });
  const digestHeader = options.digest ?? 'digest';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [digestHeader]: digestHeader === 'digest' ? legacyDigest(body) : contentDigest(body),
  };
  const created = options.now ?? Math.floor(Date.now() / 1000);
  const signed = signRequest(
    { method: 'POST', url, headers, body },
    {
      keyId: options.keyId,
      privateKey: options.privateKey,
      created,
      expires: created + (options.expiresInSeconds ?? 60),
      nonce: randomUUID(),
      components: ['@method', '@path', 'content-type', 'content-length', digestHeader],
      baseFormat: options.format ?? 'upvest-v6',
      ecdsaEncoding: options.ecdsaEncoding ?? 'der',
    },
  );
  return { url, headers: { ...headers, ...signed.headers }, body };
}

/** A throwaway EC P-521 key pair shaped like Upvest's delivery keys. */
export interface DeliveryKeyPair {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** The JWKS a handler verifies with, as `GET /auth/verify_keys` would serve it. */
  readonly jwks: JsonWebKeySet;
}

/**
 * Generates a delivery signing key pair for tests.
 *
 * @example
 * ```ts
 * const pair = generateDeliveryKeyPair();
 * const handler = createNodeDeliveryHandler({ keys: pair.jwks, onEvents });
 * ```
 */
export function generateDeliveryKeyPair(): DeliveryKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const jwk = publicKey.export({ format: 'jwk' });
  const keyId = randomUUID();
  const publicJwk: JsonWebKey = {
    kid: keyId,
    kty: 'EC',
    crv: 'P-521',
    x: String(jwk.x),
    y: String(jwk.y),
  };
  return { keyId, privateKey, publicJwk, jwks: { keys: [publicJwk] } };
}
