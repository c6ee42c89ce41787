import type { EcdsaEncoding } from '../signing/algorithms.js';
import type { BaseFormat } from '../signing/base.js';
import type { HttpMessage } from '../signing/message.js';
import {
  verifyRequestSignature,
  type KeyLookup,
  type SignatureFailureReason,
} from '../signing/verify.js';
import type { JsonWebKeySet } from '../types.js';
import type { ValidationIssue } from '../validation/issue.js';
import type { DeliveryEvent } from './events.js';
import { keyFromJwks } from './keys.js';
import { parseDelivery } from './parse.js';

/** A received delivery: the raw body bytes matter, the signature covers them. */
export interface DeliveryRequest {
  readonly method: string;
  /** The absolute URL the request was addressed to. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>> | Headers;
  readonly body: Uint8Array | string;
}

/**
 * Options of {@link verifyDelivery}.
 *
 * @example
 * ```ts
 * const options: VerifyDeliveryOptions = { keys: await client.verificationKeys(), clockSkewSeconds: 30 };
 * ```
 */
export interface VerifyDeliveryOptions {
  /** Upvest's JWKS (`GET /auth/verify_keys`), or a lookup such as `createVerificationKeyProvider`. */
  readonly keys: JsonWebKeySet | KeyLookup;
  /**
   * Signature base formats to accept, tried in order. Upvest documents v6 (unquoted names) for
   * deliveries; the v15 form (quoted names) is also accepted by default, as which one Upvest
   * sends is not documented. Pin one when you know.
   */
  readonly signatureFormats?: readonly BaseFormat[];
  /** ECDSA encodings to accept (default either: Upvest's signers emit DER). */
  readonly ecdsaEncoding?: EcdsaEncoding | 'either';
  /** Tolerated clock difference for `created` and `expires` (default 30 s). */
  readonly clockSkewSeconds?: number;
  /** Refuse deliveries signed longer ago than this (default: only `expires` limits them). */
  readonly maxAgeSeconds?: number;
  /** The clock in Unix seconds. */
  readonly now?: () => number;
}

/** Why a delivery was refused. */
export type DeliveryFailureReason =
  SignatureFailureReason | 'missing_digest' | 'invalid_json' | 'invalid_delivery';

/** The verdict of {@link verifyDelivery}: the events, with how they were verified, or why not. */
export type VerifiedDelivery =
  | {
      readonly ok: true;
      readonly events: readonly DeliveryEvent[];
      /** Which of the documented variants the delivery used. */
      readonly signature: {
        readonly keyId: string | undefined;
        readonly format: BaseFormat;
        readonly ecdsaEncoding: EcdsaEncoding | undefined;
        readonly digestHeader: 'content-digest' | 'digest' | undefined;
      };
    }
  | {
      readonly ok: false;
      readonly reason: DeliveryFailureReason;
      readonly message: string;
      readonly issues?: readonly ValidationIssue[];
    };

/**
 * Verifies a webhook delivery and parses its events. The signature must verify with one of
 * Upvest's keys (the `keyid` names the JWKS `kid`), must cover a digest of the body
 * (`content-digest` or the legacy `digest: SHA-256=`) that matches the raw bytes, and must be
 * within `created`/`expires`. Only then is the body parsed. Never throws on bad input.
 *
 * @example
 * ```ts
 * const result = await verifyDelivery(
 *   { method: 'POST', url: 'https://tenant.tld/webhooks/users', headers, body: rawBody },
 *   { keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }) },
 * );
 * if (result.ok) await handle(result.events);
 * ```
 */
export async function verifyDelivery(
  request: DeliveryRequest,
  options: VerifyDeliveryOptions,
): Promise<VerifiedDelivery> {
  const keys = options.keys;
  const lookup: KeyLookup = typeof keys === 'function' ? keys : (keyId) => keyFromJwks(keys, keyId);
  const message: HttpMessage = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
  };
  const verdict = await verifyRequestSignature(message, {
    keys: lookup,
    baseFormats: options.signatureFormats ?? ['upvest-v6', 'rfc9421'],
    ecdsaEncoding: options.ecdsaEncoding ?? 'either',
    clockSkewSeconds: options.clockSkewSeconds ?? 30,
    ...(options.maxAgeSeconds !== undefined ? { maxAgeSeconds: options.maxAgeSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
    algorithm: 'ecdsa-p521-sha512',
  });
  if (!verdict.valid) return { ok: false, reason: verdict.reason, message: verdict.message };
  // A digest the signature does not cover proves nothing: anyone could replace body and digest.
  const covered = verdict.coveredComponents.filter((c) => c === 'content-digest' || c === 'digest');
  if (covered.length === 0) {
    return {
      ok: false,
      reason: 'missing_digest',
      message: 'the signature must cover content-digest or digest',
    };
  }
  const parsed = parseDelivery(request.body);
  if (!parsed.ok)
    return {
      ok: false,
      reason: parsed.reason,
      message: 'the body is not a valid delivery',
      issues: parsed.issues,
    };
  return {
    ok: true,
    events: parsed.events,
    signature: {
      keyId: verdict.keyId,
      format: verdict.baseFormat,
      ecdsaEncoding: verdict.ecdsaEncoding,
      digestHeader: verdict.digestHeader,
    },
  };
}
