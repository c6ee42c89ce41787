/**
 * A signature over a signature base, verified the same on every runtime (primitives.ts). ECDSA
 * signatures arrive in DER (Upvest's signers) or raw r‖s (RFC 9421); Web Crypto verifies r‖s
 * only, so DER is converted first (der.ts), by the same strict reader on every runtime.
 */
import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { derToRaw } from './der.js';
import { verifyPrimitive } from './primitives.js';
import type { VerifyingKey } from './verifying-key.js';

/** The byte length of r and of s for each ECDSA curve. */
const SCALAR_BYTES: Partial<Record<SignatureAlgorithm, number>> = {
  'ecdsa-p521-sha512': 66,
  'ecdsa-p256-sha256': 32,
};

/**
 * Verifies a signature over a base. For ECDSA, `either` tries DER and then raw r‖s, and the
 * result says which one matched. Never rejects for a signature of the wrong shape: that is
 * simply not a match. The key must suit the algorithm (`verifyingKeyFits`).
 *
 * @example
 * ```ts
 * await verifySignatureBase('ecdsa-p521-sha512', key, base, signature, 'either'); // { ok: true, encoding: 'der' }
 * ```
 */
export async function verifySignatureBase(
  algorithm: SignatureAlgorithm,
  key: VerifyingKey,
  base: Uint8Array,
  signature: Uint8Array,
  encoding: EcdsaEncoding | 'either' = 'either',
): Promise<{ ok: boolean; encoding?: EcdsaEncoding }> {
  const size = SCALAR_BYTES[algorithm];
  if (size === undefined) return { ok: await verifyPrimitive(algorithm, key, base, signature) };
  for (const each of encoding === 'either' ? (['der', 'ieee-p1363'] as const) : [encoding]) {
    const raw = each === 'der' ? derToRaw(signature, size) : signature;
    // A signature of the wrong length is no match: the primitive answers false.
    if (raw && (await verifyPrimitive(algorithm, key, base, raw))) {
      return { ok: true, encoding: each };
    }
  }
  return { ok: false };
}
