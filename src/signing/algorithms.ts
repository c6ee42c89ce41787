/**
 * A signature over a signature base, made the same on every runtime (primitives.ts). The
 * primitives sign ECDSA as raw r‖s (Web Crypto's only form); Upvest's signers send DER, so the
 * signature is encoded here as asked, by the same writer on every runtime (der.ts).
 */
import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { rawToDer } from './der.js';
import { toSigningKey, type KeyInput } from './keys.js';
import { signPrimitive } from './primitives.js';

/**
 * A primitive's signature as sent: ECDSA's raw r‖s in DER when asked (the default, as Upvest's
 * signers do), every other signature as it is.
 *
 * @example
 * ```ts
 * encodeSignature('ecdsa-p521-sha512', raw, 'der'); // Uint8Array [0x30, …]
 * ```
 */
export function encodeSignature(
  algorithm: SignatureAlgorithm,
  signature: Uint8Array,
  encoding: EcdsaEncoding = 'der',
): Uint8Array {
  return algorithm.startsWith('ecdsa-') && encoding === 'der' ? rawToDer(signature) : signature;
}

/**
 * Signs a signature base with the algorithm's primitive. The key must suit the algorithm (see
 * `assertKeyFits`); ECDSA output is encoded as asked (`der` by default, as Upvest's signers do).
 *
 * @example
 * ```ts
 * const signature = await signBase('ed25519', privateKey, new TextEncoder().encode(base));
 * ```
 */
export async function signBase(
  algorithm: SignatureAlgorithm,
  key: KeyInput,
  base: Uint8Array,
  encoding: EcdsaEncoding = 'der',
): Promise<Uint8Array> {
  const signature = await signPrimitive(algorithm, toSigningKey(key), base);
  return encodeSignature(algorithm, signature, encoding);
}
