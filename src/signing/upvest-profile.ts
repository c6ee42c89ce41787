import { type OutgoingRequest, type RequestSigner } from '../wire/signer.js';
import type { EcdsaEncoding } from './algorithm-names.js';
import { contentDigest } from './digest.js';
import type { KeyInput } from './keys.js';
import { bodyBytes, headerValue, toHeaders, type HttpMessage } from './message.js';
import type { SignatureParameterName } from './params.js';
import { signRequest } from './sign.js';
import { verifyRequestSignature, type KeyLookup, type SignatureVerification } from './verify.js';

/**
 * The value of `upvest-signature-version` that selects draft-15 signatures.
 *
 * @example
 * ```ts
 * headers.set('upvest-signature-version', UPVEST_SIGNATURE_VERSION); // '15'
 * ```
 */
export const UPVEST_SIGNATURE_VERSION = '15';

/**
 * Seconds a v15 signature stays valid by default. Upvest's own signers use 5 s (JavaScript
 * example), 10 s (Python SDK) and 60 s (proxy, Java); 10 s tolerates a slow connection or a
 * little clock skew without leaving a long replay window.
 *
 * @example
 * ```ts
 * await upvestSignatureHeaders(request, { keyId, privateKey, expiresInSeconds: UPVEST_DEFAULT_EXPIRES_IN_SECONDS * 6 });
 * ```
 */
export const UPVEST_DEFAULT_EXPIRES_IN_SECONDS = 10;

/**
 * Headers Upvest's clients cover when present, in the documented order; `upvest-api-version`
 * (covered by Upvest's signers, which sign every header they send) sits before
 * `upvest-client-id`. Headers starting with `upvest-signature` are never signed.
 */
const OPTIONAL_HEADERS = [
  'accept',
  'authorization',
  'content-length',
  'content-type',
  'content-digest',
  'idempotency-key',
  'upvest-api-version',
] as const;

/** The parameters Upvest's signers always send, which its verifier can therefore demand. */
const UPVEST_PARAMETERS: readonly SignatureParameterName[] = [
  'created',
  'expires',
  'keyid',
  'nonce',
];

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
  /** Seconds the signature stays valid (default 10, `UPVEST_DEFAULT_EXPIRES_IN_SECONDS`). */
  readonly expiresInSeconds?: number;
  /** The clock in Unix seconds; inject for tests. */
  readonly now?: () => number;
  /** The nonce, or a function making one per request; a random UUID per request by default. */
  readonly nonce?: string | (() => string);
  /** ECDSA encoding; `der` by default, as Upvest's signers emit. */
  readonly ecdsaEncoding?: EcdsaEncoding;
}

/**
 * The components of Upvest's v15 profile for a request, in the documented order: `@method`,
 * `@path`, `@query` (only with a query), then `accept`, `authorization`, `content-length`,
 * `content-type`, `content-digest`, `idempotency-key`, `upvest-api-version` when present, and
 * always `upvest-client-id`.
 *
 * @example
 * ```ts
 * upvestComponents({ method: 'GET', url: 'https://sandbox.upvest.co/webhooks?limit=10', headers: { 'upvest-client-id': id } });
 * // ['@method', '@path', '@query', 'upvest-client-id']
 * ```
 */
export function upvestComponents(request: HttpMessage): string[] {
  return [
    '@method',
    '@path',
    ...(hasQuery(request) ? ['@query'] : []),
    ...OPTIONAL_HEADERS.filter((name) => headerValue(request, name) !== undefined),
    'upvest-client-id',
  ];
}

function hasQuery(request: HttpMessage): boolean {
  const base = 'http://relative.invalid';
  const url = request.url ?? ''; // no URL: the base itself, which has no query
  return URL.canParse(url, base) && new URL(url, base).search !== '';
}

/**
 * The headers to add to a request under Upvest's v15 profile: `content-digest` (SHA-512) and
 * `content-length` for a body, `signature-input`, `signature`, and `upvest-signature-version:
 * 15` (itself unsigned). Parameters: `created` (now), `expires`, `nonce`, `keyid`; no `alg`,
 * like Upvest's clients. Rejects with a configuration error when the key is unusable or the
 * request has no `upvest-client-id`.
 *
 * @example
 * ```ts
 * const added = await upvestSignatureHeaders(
 *   { method: 'GET', url: 'https://sandbox.upvest.co/webhooks', headers: { 'upvest-client-id': id } },
 *   { keyId, privateKey },
 * );
 * ```
 */
export async function upvestSignatureHeaders(
  request: HttpMessage,
  options: UpvestSigningOptions,
): Promise<Record<string, string>> {
  const body = bodyBytes(request);
  const headers = toHeaders(request.headers);
  const added: Record<string, string> = {};
  if (body.length > 0) {
    // Computed here, over the bytes sent, even when the caller set them: they must agree.
    added['content-length'] = String(body.length);
    added['content-digest'] = await contentDigest(body);
    headers.set('content-length', added['content-length']);
    headers.set('content-digest', added['content-digest']);
  } else {
    // Without a body, neither digest nor length is signed (Upvest's clients send neither).
    headers.delete('content-length');
    headers.delete('content-digest');
  }
  const message: HttpMessage = { ...request, headers, body };
  const created = options.now?.() ?? Math.floor(Date.now() / 1000);
  const nonce = typeof options.nonce === 'function' ? options.nonce() : options.nonce;
  const signed = await signRequest(message, {
    keyId: options.keyId,
    privateKey: options.privateKey,
    created,
    expires: created + (options.expiresInSeconds ?? UPVEST_DEFAULT_EXPIRES_IN_SECONDS),
    // The global Web Crypto, on every runtime (Node's node:crypto is not everywhere).
    nonce: nonce ?? crypto.randomUUID(),
    components: upvestComponents(message),
    ecdsaEncoding: options.ecdsaEncoding ?? 'der',
  });
  return { ...added, ...signed.headers, 'upvest-signature-version': UPVEST_SIGNATURE_VERSION };
}

/**
 * A `RequestSigner` for the client: every request, each retry included, is signed afresh with a
 * new `created` and `nonce`.
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
 * Options of {@link verifyUpvestRequest}.
 *
 * @example
 * ```ts
 * const options: VerifyUpvestRequestOptions = { keys: (id) => (id === keyId ? publicKey : undefined) };
 * ```
 */
export interface VerifyUpvestRequestOptions {
  /** One key, a map by `keyid`, or a lookup. */
  readonly keys: KeyInput | ReadonlyMap<string, KeyInput> | KeyLookup;
  /** The clock in Unix seconds. */
  readonly now?: () => number;
  /** Tolerated clock difference for `created` and `expires` (default 5 s). */
  readonly clockSkewSeconds?: number;
}

/**
 * Verifies a request the way the API does under the v15 profile: `upvest-signature-version: 15`;
 * a signature with `created`, `expires`, `keyid` and `nonce`, inside its window;
 * covering at least `@method`, `@path` and `upvest-client-id`, plus `@query` when the URL has
 * one, `content-digest` when there is a body, and `authorization` when the header is sent; in
 * the quoted (`rfc9421`) base format, DER or raw ECDSA.
 *
 * @example
 * ```ts
 * const verdict = await verifyUpvestRequest(request, { keys: publicKeyPem });
 * if (!verdict.ok) return respond(401, verdict.message);
 * ```
 */
export async function verifyUpvestRequest(
  request: HttpMessage,
  options: VerifyUpvestRequestOptions,
): Promise<SignatureVerification> {
  if (headerValue(request, 'upvest-signature-version') !== UPVEST_SIGNATURE_VERSION) {
    return {
      ok: false,
      reason: 'missing_signature',
      message: `upvest-signature-version: ${UPVEST_SIGNATURE_VERSION} is required`,
    };
  }
  return verifyRequestSignature(request, {
    keys: options.keys,
    ...(options.now ? { now: options.now } : {}),
    ...(options.clockSkewSeconds !== undefined
      ? { clockSkewSeconds: options.clockSkewSeconds }
      : {}),
    requiredParameters: UPVEST_PARAMETERS,
    requiredComponents: [
      '@method',
      '@path',
      ...(hasQuery(request) ? ['@query'] : []),
      'upvest-client-id',
      ...(bodyBytes(request).length > 0 ? ['content-digest'] : []),
      ...(headerValue(request, 'authorization') !== undefined ? ['authorization'] : []),
    ],
  });
}
