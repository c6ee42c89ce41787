import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { signBase } from './algorithms.js';
import { buildSignatureBase, type BaseFormat } from './base.js';
import { parseComponentId } from './components.js';
import { contentDigest } from './digest.js';
import { algorithmForKey, assertKeyFits, toSigningKey, type KeyInput } from './keys.js';
import { bodyBytes, headerValue, toHeaders, type HttpMessage } from './message.js';
import { createSignatureInput, serializeSignatureFields } from './params.js';

/**
 * Options of {@link signRequest}. With `created` (and `nonce`) given, the signature base is
 * deterministic; so are Ed25519, HMAC and RSA v1.5 signatures (ECDSA and RSA-PSS are
 * randomized).
 *
 * @example
 * ```ts
 * const options: SignRequestOptions = { keyId: 'my-key', privateKey: pem, created: 1618884473 };
 * ```
 */
export interface SignRequestOptions {
  /** The `keyid` parameter. */
  readonly keyId: string;
  /** PEM, JWK, `KeyObject`, or secret bytes for HMAC. Never logged. */
  readonly privateKey: KeyInput;
  /** Inferred from the key when omitted (P-521 → `ecdsa-p521-sha512`); must suit the key. */
  readonly algorithm?: SignatureAlgorithm;
  /** ECDSA only; default `der`, as Upvest's own signers do. RFC 9421 specifies `ieee-p1363`. */
  readonly ecdsaEncoding?: EcdsaEncoding;
  /** Unix seconds; default now. */
  readonly created?: number;
  /** Unix seconds; no expiry by default. */
  readonly expires?: number;
  readonly nonce?: string;
  readonly tag?: string;
  /**
   * Covered components in order, e.g. `['@method', '@path', 'content-digest']` or
   * `'@query-param;name="id"'`. Default: `@method`, `@authority`, `@path`, `@query`, plus
   * `content-digest` when there is a body.
   */
  readonly components?: readonly string[];
  /** The signature's label; default `sig1`. */
  readonly label?: string;
  /** Default `rfc9421`; `upvest-v6` writes the base with unquoted names. */
  readonly baseFormat?: BaseFormat;
  /** Adds the `alg` parameter; Upvest's clients leave it out. */
  readonly includeAlg?: boolean;
}

/**
 * What {@link signRequest} produced: headers to add, and what it signed (for debugging).
 *
 * @example
 * ```ts
 * const { headers, signatureBase }: SignedRequest = signRequest(request, options);
 * ```
 */
export interface SignedRequest {
  /** `signature-input`, `signature`, and `content-digest` when it had to compute one. */
  readonly headers: Record<string, string>;
  /** The exact text that was signed (UTF-8). */
  readonly signatureBase: string;
  /** The `@signature-params` value, i.e. `signature-input` without the label. */
  readonly signatureParams: string;
}

/**
 * Signs a request with an HTTP message signature (RFC 9421 / draft-15). When a body is present
 * and `content-digest` is covered but absent, a SHA-512 digest of the exact body bytes is
 * computed and returned with the signature headers. Throws a configuration error for an
 * unusable key, a key that does not suit `algorithm`, or a component the request lacks.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ title: 'User webhook' });
 * const request = { method: 'POST', url: 'https://sandbox.upvest.co/webhooks', headers: {}, body };
 * const { headers } = signRequest(request, { keyId: 'my-key', privateKey: pem });
 * await fetch(request.url, { method: 'POST', headers: { ...request.headers, ...headers }, body });
 * ```
 */
export function signRequest(request: HttpMessage, options: SignRequestOptions): SignedRequest {
  const key = toSigningKey(options.privateKey);
  const algorithm = options.algorithm ?? algorithmForKey(key);
  assertKeyFits(algorithm, key);
  const body = bodyBytes(request);
  const components = (
    options.components ?? [
      '@method',
      '@authority',
      '@path',
      '@query',
      ...(body.length > 0 ? ['content-digest'] : []),
    ]
  ).map(parseComponentId);

  const added: Record<string, string> = {};
  let message = request;
  const coversDigest = components.some(([name]) => name === 'content-digest');
  if (coversDigest && body.length > 0 && headerValue(request, 'content-digest') === undefined) {
    added['content-digest'] = contentDigest(body);
    const headers = toHeaders(request.headers);
    headers.set('content-digest', added['content-digest']);
    message = { ...request, headers };
  }

  const input = createSignatureInput(components, {
    created: options.created ?? Math.floor(Date.now() / 1000),
    ...(options.expires !== undefined ? { expires: options.expires } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    keyid: options.keyId,
    ...(options.includeAlg ? { alg: algorithm } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
  });
  const signatureBase = buildSignatureBase(
    message,
    input.items,
    input.signatureParams,
    options.baseFormat,
  );
  const signature = signBase(
    algorithm,
    key,
    new TextEncoder().encode(signatureBase),
    options.ecdsaEncoding ?? 'der',
  );
  return {
    headers: { ...added, ...serializeSignatureFields(options.label ?? 'sig1', input, signature) },
    signatureBase,
    signatureParams: input.signatureParams,
  };
}
