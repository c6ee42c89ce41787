/**
 * Signing on `node:crypto`, synchronously, for the testing entry (Node only: it holds the mock
 * server), whose `signDelivery` the mock, the CLI, the conformance suite and many tests call
 * without awaiting. Every step but the two primitive calls is the signing entry's own
 * (src/signing/sign.ts); this module stays out of the signing entry's import graph, which must
 * load where Node's modules do not exist.
 */
import { contentDigestField, legacyDigestField } from '../signing/digest.js';
import type { DigestAlgorithm } from '../signing/algorithm-names.js';
import { digestBytes, signPrimitive } from '../signing/primitives.node.js';
import {
  prepareSignature,
  signatureToMake,
  type SignedRequest,
  type SignRequestOptions,
} from '../signing/sign.js';
import type { HttpMessage } from '../signing/message.js';

/**
 * `signRequest`, synchronously on Node.
 *
 * @example
 * ```ts
 * const { headers } = signRequestSync(request, { keyId: 'k1', privateKey: pem });
 * ```
 */
export function signRequestSync(request: HttpMessage, options: SignRequestOptions): SignedRequest {
  const prepared = prepareSignature(request, options);
  const sha512 = prepared.digestBody && digestBytes('sha-512', prepared.digestBody);
  const toMake = signatureToMake(prepared, sha512);
  return toMake.finish(signPrimitive(prepared.algorithm, prepared.key, toMake.base));
}

/**
 * `contentDigest`, synchronously on Node.
 *
 * @example
 * ```ts
 * contentDigestSync('{}'); // 'sha-512=:…:'
 * ```
 */
export function contentDigestSync(
  body: string | Uint8Array,
  algorithm: DigestAlgorithm = 'sha-512',
): string {
  return contentDigestField(algorithm, digestBytes(algorithm, bytesOf(body)));
}

/**
 * `legacyDigest`, synchronously on Node.
 *
 * @example
 * ```ts
 * legacyDigestSync('{}'); // 'SHA-256=…'
 * ```
 */
export function legacyDigestSync(body: string | Uint8Array): string {
  return legacyDigestField(digestBytes('sha-256', bytesOf(body)));
}

const bytesOf = (body: string | Uint8Array) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;
