/**
 * Signing a request, in three steps: {@link prepareSignature} (the key, the algorithm, the
 * covered components), {@link signatureToMake} (the content digest added, the signature base),
 * and {@link SignatureToMake.finish} (the signature fields). Only the two primitive calls
 * between them, the body's hash and the signature, differ between {@link signRequest}
 * (asynchronous, every runtime) and the testing entry's synchronous Node signer
 * (src/testing/sign-sync.ts), so the two cannot drift apart.
 */
import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { encodeSignature } from './algorithms.js';
import { buildSignatureBase, type BaseFormat } from './base.js';
import type { Item } from 'structured-headers';
import { parseComponentId } from './components.js';
import { contentDigestField } from './digest.js';
import {
  algorithmForKey,
  assertKeyFits,
  toSigningKey,
  type KeyInput,
  type SigningKey,
} from './keys.js';
import { bodyBytes, headerValue, toHeaders, type HttpMessage } from './message.js';
import { createSignatureInput, serializeSignatureFields } from './params.js';
import { digestBytes, signPrimitive } from './primitives.js';

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
 * const { headers, signatureBase }: SignedRequest = await signRequest(request, options);
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
 * A request read for signing: the key, the algorithm, and the body whose SHA-512 must be added
 * as `content-digest` (covered, absent, and a body to hash), if any. Internal.
 *
 * @example
 * ```ts
 * const prepared = prepareSignature(request, { keyId: 'k1', privateKey: pem });
 * prepared.algorithm; // 'ecdsa-p521-sha512'
 * ```
 */
export interface PreparedSignature {
  readonly request: HttpMessage;
  readonly options: SignRequestOptions;
  readonly key: SigningKey;
  readonly algorithm: SignatureAlgorithm;
  readonly components: readonly Item[];
  readonly digestBody: Uint8Array | undefined;
}

/**
 * The first step of signing: reads the key, settles the algorithm and the components. Throws a
 * configuration error for an unusable key or one that does not suit `algorithm`.
 *
 * @example
 * ```ts
 * const prepared = prepareSignature(request, options);
 * ```
 */
export function prepareSignature(
  request: HttpMessage,
  options: SignRequestOptions,
): PreparedSignature {
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
  const coversDigest = components.some(([name]) => name === 'content-digest');
  const addsDigest =
    coversDigest && body.length > 0 && headerValue(request, 'content-digest') === undefined;
  return {
    request,
    options,
    key,
    algorithm,
    components,
    digestBody: addsDigest ? body : undefined,
  };
}

/**
 * A signature base ready to sign, and how to turn its signature into the fields. Internal.
 *
 * @example
 * ```ts
 * const signed = toMake.finish(await signPrimitive(algorithm, key, toMake.base));
 * ```
 */
export interface SignatureToMake {
  /** The signature base as UTF-8, what the primitive signs. */
  readonly base: Uint8Array;
  /** The fields of the primitive's signature (for ECDSA raw r‖s, encoded as asked). */
  finish(signature: Uint8Array): SignedRequest;
}

/**
 * The second step of signing: the `content-digest` added (from the SHA-512 of
 * `prepared.digestBody`, when there is one), the signature parameters, and the base.
 *
 * @example
 * ```ts
 * const toMake = signatureToMake(prepared, prepared.digestBody && sha512(prepared.digestBody));
 * ```
 */
export function signatureToMake(
  prepared: PreparedSignature,
  sha512: Uint8Array | undefined,
): SignatureToMake {
  const { request, options, algorithm } = prepared;
  const added: Record<string, string> = {};
  let message = request;
  if (sha512 !== undefined) {
    added['content-digest'] = contentDigestField('sha-512', sha512);
    const headers = toHeaders(request.headers);
    headers.set('content-digest', added['content-digest']);
    message = { ...request, headers };
  }
  const input = createSignatureInput(prepared.components, {
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
  return {
    base: new TextEncoder().encode(signatureBase),
    finish: (signature) => ({
      headers: {
        ...added,
        ...serializeSignatureFields(
          options.label ?? 'sig1',
          input,
          encodeSignature(algorithm, signature, options.ecdsaEncoding ?? 'der'),
        ),
      },
      signatureBase,
      signatureParams: input.signatureParams,
    }),
  };
}

/**
 * Signs a request with an HTTP message signature (RFC 9421 / draft-15). When a body is present
 * and `content-digest` is covered but absent, a SHA-512 digest of the exact body bytes is
 * computed and returned with the signature headers. Rejects with a configuration error for an
 * unusable key, a key that does not suit `algorithm`, or a component the request lacks.
 * Asynchronous because it signs with Web Crypto, which every runtime has.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ title: 'User webhook' });
 * const request = { method: 'POST', url: 'https://sandbox.upvest.co/webhooks', headers: {}, body };
 * const { headers } = await signRequest(request, { keyId: 'my-key', privateKey: pem });
 * await fetch(request.url, { method: 'POST', headers: { ...request.headers, ...headers }, body });
 * ```
 */
export async function signRequest(
  request: HttpMessage,
  options: SignRequestOptions,
): Promise<SignedRequest> {
  const prepared = prepareSignature(request, options);
  const { digestBody } = prepared;
  const toMake = signatureToMake(
    prepared,
    digestBody && (await digestBytes('sha-512', digestBody)),
  );
  return toMake.finish(await signPrimitive(prepared.algorithm, prepared.key, toMake.base));
}
