import {
  constants,
  createHmac,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';

/**
 * The algorithms of HTTP message signatures this package signs and verifies.
 * `ecdsa-p521-sha512` is Upvest's and not in the IANA registry; the others are RFC 9421 §3.3.
 *
 * @example
 * ```ts
 * SIGNATURE_ALGORITHMS.includes('ed25519'); // true
 * ```
 */
export const SIGNATURE_ALGORITHMS = [
  'ecdsa-p521-sha512',
  'ecdsa-p256-sha256',
  'ed25519',
  'hmac-sha256',
  'rsa-pss-sha512',
  'rsa-v1_5-sha256',
] as const;

/**
 * One of {@link SIGNATURE_ALGORITHMS}.
 *
 * @example
 * ```ts
 * const algorithm: SignatureAlgorithm = 'ecdsa-p521-sha512';
 * ```
 */
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/**
 * Whether a value (an `alg` parameter, say) names an algorithm this package supports.
 *
 * @example
 * ```ts
 * isSignatureAlgorithm('hs2019'); // false
 * ```
 */
export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return (SIGNATURE_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * How an ECDSA signature is encoded: `der` (ASN.1, what Upvest's signers emit) or `ieee-p1363`
 * (raw r‖s, fixed length, what RFC 9421 specifies).
 *
 * @example
 * ```ts
 * const encoding: EcdsaEncoding = 'ieee-p1363';
 * ```
 */
export type EcdsaEncoding = 'der' | 'ieee-p1363';

const HASH: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': null, // HMAC is computed with createHmac, not sign/verify
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

const isEcdsa = (algorithm: SignatureAlgorithm) => algorithm.startsWith('ecdsa-');

function keyOptions(
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

/**
 * Verifies a signature over a base. For ECDSA, `either` tries DER and then raw r‖s, and the
 * result says which one matched. HMAC is compared in constant time. Never throws for a
 * signature of the wrong shape: that is simply not a match.
 *
 * @example
 * ```ts
 * verifyBase('ecdsa-p521-sha512', publicKey, base, signature, 'either'); // { ok: true, encoding: 'der' }
 * ```
 */
export function verifyBase(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  base: Uint8Array,
  signature: Uint8Array,
  encoding: EcdsaEncoding | 'either' = 'either',
): { ok: boolean; encoding?: EcdsaEncoding } {
  if (algorithm === 'hmac-sha256') {
    const expected = createHmac('sha256', key).update(base).digest();
    return { ok: expected.length === signature.length && timingSafeEqual(expected, signature) };
  }
  if (!isEcdsa(algorithm)) return { ok: attempt(algorithm, key, base, signature, 'der') };
  for (const each of encoding === 'either' ? (['der', 'ieee-p1363'] as const) : [encoding]) {
    if (attempt(algorithm, key, base, signature, each)) return { ok: true, encoding: each };
  }
  return { ok: false };
}

function attempt(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  base: Uint8Array,
  signature: Uint8Array,
  encoding: EcdsaEncoding,
): boolean {
  try {
    return verify(HASH[algorithm], base, keyOptions(algorithm, key, encoding), signature);
  } catch {
    return false; // a signature of the wrong shape for this encoding or key
  }
}
