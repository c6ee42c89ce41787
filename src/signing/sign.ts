import { serializeDictionary } from 'structured-headers';
import { algorithmForKey, toSigningKey, type KeyInput, type SignatureAlgorithm } from './keys.js';
import { signBase, type EcdsaEncoding } from './algorithms.js';
import {
  buildSignatureBase,
  serializeSignatureParams,
  type BaseFormat,
  type SignatureParameters,
} from './base.js';
import { contentDigest } from './digest.js';
import { bodyBytes, headerValue, type HttpMessage } from './message.js';

/**
 * Options of {@link signRequest}. `created` and `nonce` make the output deterministic for tests.
 *
 * @example
 * ```ts
 * const options: SignRequestOptions = { keyId: 'my-key', privateKey: pem, created: 1618884473 };
 * ```
 */
export interface SignRequestOptions {
  readonly keyId: string;
  readonly privateKey: KeyInput;
  /** Inferred from the key when omitted (P-521 → `ecdsa-p521-sha512`). */
  readonly algorithm?: SignatureAlgorithm;
  /** ECDSA only; default `der`, as Upvest's own signers do. RFC 9421 specifies `ieee-p1363`. */
  readonly ecdsaEncoding?: EcdsaEncoding;
  /** Unix seconds; default now. */
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly tag?: string;
  /** Covered components in order; default `@method`, `@authority`, `@path`, plus `content-digest` with a body. */
  readonly components?: readonly string[];
  /** The signature's label; default `sig1`. */
  readonly label?: string;
  readonly baseFormat?: BaseFormat;
  /** Adds the `alg` parameter; Upvest's clients leave it out. */
  readonly includeAlg?: boolean;
}

/** What {@link signRequest} produced: headers to add, and the base it signed (for debugging). */
export interface SignedRequest {
  /** `signature-input`, `signature`, and `content-digest` when it had to compute one. */
  readonly headers: Record<string, string>;
  readonly signatureBase: string;
  readonly signatureParams: string;
}

/**
 * Signs a request with an HTTP message signature (RFC 9421 / draft-15). With a body and
 * `content-digest` covered but absent, the digest is computed over the exact bytes first.
 *
 * @example
 * ```ts
 * const { headers } = signRequest(
 *   { method: 'POST', url: 'https://sandbox.upvest.co/webhooks', headers: {}, body },
 *   { keyId: 'my-key', privateKey: pem },
 * );
 * ```
 */
export function signRequest(request: HttpMessage, options: SignRequestOptions): SignedRequest {
  const key = toSigningKey(options.privateKey);
  const algorithm = options.algorithm ?? algorithmForKey(key);
  const body = bodyBytes(request);
  const components = options.components ?? [
    '@method',
    '@authority',
    '@path',
    ...(body.length > 0 ? ['content-digest'] : []),
  ];
  const added: Record<string, string> = {};
  const headers = new Headers(
    request.headers instanceof Headers ? request.headers : Object.entries(request.headers),
  );
  if (
    components.includes('content-digest') &&
    headerValue(request, 'content-digest') === undefined
  ) {
    added['content-digest'] = contentDigest(body);
    headers.set('content-digest', added['content-digest']);
  }
  const params: SignatureParameters = {
    created: options.created ?? Math.floor(Date.now() / 1000),
    ...(options.expires !== undefined ? { expires: options.expires } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    keyid: options.keyId,
    ...(options.includeAlg ? { alg: algorithm } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
  };
  const signatureParams = serializeSignatureParams(components, params);
  const message: HttpMessage = { ...request, headers };
  const signatureBase = buildSignatureBase(
    message,
    components,
    signatureParams,
    options.baseFormat,
  );
  const signature = signBase(
    algorithm,
    key,
    new TextEncoder().encode(signatureBase),
    options.ecdsaEncoding ?? 'der',
  );
  const label = options.label ?? 'sig1';
  added['signature-input'] = `${label}=${signatureParams}`;
  added['signature'] = serializeDictionary(new Map([[label, [signature, new Map()]]]));
  return { headers: added, signatureBase, signatureParams };
}
