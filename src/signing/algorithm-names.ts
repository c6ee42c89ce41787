/** The names of the signature algorithms and encodings: no crypto here, so any module may import them. */

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

/**
 * The digest algorithms of RFC 9530 this package computes and checks.
 *
 * @example
 * ```ts
 * const algorithm: DigestAlgorithm = 'sha-512';
 * ```
 */
export type DigestAlgorithm = 'sha-512' | 'sha-256';
