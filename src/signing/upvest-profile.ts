import { randomUUID } from 'node:crypto';
import type { OutgoingRequest, RequestSigner } from '../client/transport.js';
import { contentDigest } from './digest.js';
import { signRequest } from './sign.js';
import type { EcdsaEncoding } from './algorithms.js';
import type { KeyInput } from './keys.js';
import { bodyBytes, headerValue, type HttpMessage } from './message.js';
import { verifyRequestSignature, type KeyLookup, type SignatureVerification } from './verify.js';

/** The value of `upvest-signature-version` that selects draft-15 signatures. */
export const UPVEST_SIGNATURE_VERSION = '15';

/**
 * Headers Upvest's own clients cover when present, in the documented order. `upvest-api-version`
 * sits before `upvest-client-id`; headers starting with `upvest-signature` are never signed.
 */
const UPVEST_HEADER_COMPONENTS = [
  'accept',
  'authorization',
  'content-length',
  'content-type',
  'content-digest',
  'idempotency-key',
  'upvest-api-version',
  'upvest-client-id',
] as const;

/**
 * Options of the Upvest signing profile.
 *
 * @example
 * ```ts
 * const options: UpvestSigningOptions = { keyId: process.env.UPVEST_KEY_ID!, privateKey: pem };
 * ```
 */
export interface UpvestSigningOptions {
  /** The key id Upvest issued for the uploaded public key. */
  readonly keyId: string;
  /** ECDSA P-521 (or Ed25519) private key: PEM, JWK or KeyObject. Never logged. */
  readonly privateKey: KeyInput;
  /** Seconds the signature stays valid (default 10, as Upvest's Python SDK). */
  readonly expiresInSeconds?: number;
  /** The clock in Unix seconds; inject for tests. */
  readonly now?: () => number;
  /** The nonce; a random UUID per request by default. */
  readonly nonce?: () => string;
  /** ECDSA encoding; `der` by default, as Upvest's signers emit. */
  readonly ecdsaEncoding?: EcdsaEncoding;
}

/** The components of Upvest's v15 profile that a request has. */
export function upvestComponents(request: HttpMessage): string[] {
  const url = new URL(request.url ?? '');
  return [
    '@method',
    '@path',
    ...(url.search !== '' ? ['@query'] : []),
    ...UPVEST_HEADER_COMPONENTS.filter((name) => headerValue(request, name) !== undefined),
  ];
}

/**
 * The headers to add to a request under Upvest's v15 profile: `content-digest` (SHA-512) and
 * `content-length` for a body, `signature-input`, `signature`, and `upvest-signature-version: 15`.
 *
 * @example
 * ```ts
 * const added = upvestSignatureHeaders(
 *   { method: 'GET', url: 'https://sandbox.upvest.co/webhooks', headers: { 'upvest-client-id': id } },
 *   { keyId, privateKey },
 * );
 * ```
 */
export function upvestSignatureHeaders(
  request: HttpMessage,
  options: UpvestSigningOptions,
): Record<string, string> {
  const body = bodyBytes(request);
  const headers = new Headers(
    request.headers instanceof Headers ? request.headers : Object.entries(request.headers),
  );
  const added: Record<string, string> = {};
  if (body.length > 0) {
    added['content-length'] = String(body.length);
    added['content-digest'] = contentDigest(body);
    headers.set('content-length', added['content-length']);
    headers.set('content-digest', added['content-digest']);
  } else {
    // Without a body, neither digest nor length is sent (Upvest's clients omit both).
    headers.delete('content-length');
    headers.delete('content-digest');
  }
  const message: HttpMessage = { ...request, headers, body };
  const components = upvestComponents(message);
  const created = options.now?.() ?? Math.floor(Date.now() / 1000);
  const signed = signRequest(message, {
    keyId: options.keyId,
    privateKey: options.privateKey,
    created,
    expires: created + (options.expiresInSeconds ?? 10),
    nonce: options.nonce?.() ?? randomUUID(),
    components,
    ecdsaEncoding: options.ecdsaEncoding ?? 'der',
  });
  return { ...added, ...signed.headers, 'upvest-signature-version': UPVEST_SIGNATURE_VERSION };
}

/**
 * A {@link RequestSigner} for the client: every request, each retry included, is signed afresh
 * with a new `created` and `nonce`.
 *
 * @example
 * ```ts
 * const client = createWebhooksClient({
 *   baseUrl: UPVEST_SANDBOX_URL,
 *   clientId,
 *   accessToken,
 *   signer: createUpvestSigner({ keyId, privateKey }),
 * });
 * ```
 */
export function createUpvestSigner(options: UpvestSigningOptions): RequestSigner {
  return (request: OutgoingRequest) => upvestSignatureHeaders(request, options);
}

/**
 * Verifies a request the way the API does under the v15 profile: `upvest-signature-version: 15`,
 * a valid signature covering at least `@method`, `@path` and `upvest-client-id`, plus
 * `content-digest` when there is a body and `authorization` when the header is sent.
 *
 * @example
 * ```ts
 * const verdict = await verifyUpvestRequest(request, { keys: publicKeyPem });
 * ```
 */
export async function verifyUpvestRequest(
  request: HttpMessage,
  options: { keys: KeyInput | KeyLookup; now?: () => number; clockSkewSeconds?: number },
): Promise<SignatureVerification> {
  if (headerValue(request, 'upvest-signature-version') !== UPVEST_SIGNATURE_VERSION) {
    return {
      valid: false,
      reason: 'missing_signature',
      message: 'upvest-signature-version: 15 is required',
    };
  }
  const body = bodyBytes(request).length;
  return verifyRequestSignature(request, {
    keys: options.keys,
    ...(options.now ? { now: options.now } : {}),
    ...(options.clockSkewSeconds !== undefined
      ? { clockSkewSeconds: options.clockSkewSeconds }
      : {}),
    requiredComponents: [
      '@method',
      '@path',
      'upvest-client-id',
      ...(body > 0 ? ['content-digest'] : []),
      ...(headerValue(request, 'authorization') !== undefined ? ['authorization'] : []),
    ],
  });
}
