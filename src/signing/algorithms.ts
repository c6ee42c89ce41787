import { constants, createHmac, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';

/** Node's hash of each algorithm, for `crypto.sign` and `crypto.verify` (none: the key decides). */
export const HASH: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': null, // HMAC is computed with createHmac, not sign/verify
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

const isEcdsa = (algorithm: SignatureAlgorithm) => algorithm.startsWith('ecdsa-');

/** The key as Node's sign and verify take it for an algorithm: ECDSA's encoding, PSS's padding. */
export function keyOptions(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  encoding: EcdsaEncoding,
): KeyObject | SignKeyObjectInput {
  if (isEcdsa(algorithm)) return { key, dsaEncoding: encoding };
  // RFC 9421 §3.3.1: PSS with SHA-512 and a 64-byte salt.
  if (algorithm === 'rsa-pss-sha512') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
  }
  // rsa-v1_5-sha256 is Node's default RSA padding (PKCS#1 v1.5); Ed25519 takes the key as is.
  return key;
}

/**
 * Signs a signature base with the algorithm's primitive. The key must suit the algorithm (see
 * `assertKeyFits`); ECDSA output is encoded as asked (`der` by default, as Upvest's signers do).
 *
 * @example
 * ```ts
 * const signature = signBase('ed25519', privateKey, new TextEncoder().encode(base));
 * ```
 */
export function signBase(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  base: Uint8Array,
  encoding: EcdsaEncoding = 'der',
): Uint8Array {
  if (algorithm === 'hmac-sha256') return createHmac('sha256', key).update(base).digest();
  return sign(HASH[algorithm], base, keyOptions(algorithm, key, encoding));
}
