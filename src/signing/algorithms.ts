import { createHmac, sign, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from './keys.js';

/**
 * How an ECDSA signature is encoded: `der` (ASN.1, what Upvest's signers emit) or `ieee-p1363`
 * (raw r‖s, what RFC 9421 specifies).
 */
export type EcdsaEncoding = 'der' | 'ieee-p1363';

const HASH: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': 'sha256',
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

function keyOptions(algorithm: SignatureAlgorithm, key: KeyObject, encoding: EcdsaEncoding) {
  if (algorithm.startsWith('ecdsa-')) return { key, dsaEncoding: encoding };
  if (algorithm === 'rsa-pss-sha512')
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
  if (algorithm === 'rsa-v1_5-sha256') return { key, padding: constants.RSA_PKCS1_PADDING };
  return key;
}

/** Signs the signature base with the algorithm's primitive. */
export function signBase(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  base: Uint8Array,
  encoding: EcdsaEncoding,
): Buffer {
  if (algorithm === 'hmac-sha256') return createHmac('sha256', key).update(base).digest();
  return sign(HASH[algorithm], base, keyOptions(algorithm, key, encoding));
}

/**
 * Verifies a signature over the base. For ECDSA, `either` tries DER first and then raw r‖s, and
 * says which one matched.
 */
export function verifyBase(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  base: Uint8Array,
  signature: Uint8Array,
  encoding: EcdsaEncoding | 'either',
): { ok: boolean; encoding?: EcdsaEncoding } {
  if (algorithm === 'hmac-sha256') {
    const expected = createHmac('sha256', key).update(base).digest();
    return { ok: expected.length === signature.length && timingSafeEqual(expected, signature) };
  }
  const encodings: EcdsaEncoding[] = encoding === 'either' ? ['der', 'ieee-p1363'] : [encoding];
  for (const each of algorithm.startsWith('ecdsa-') ? encodings : (['der'] as EcdsaEncoding[])) {
    let ok: boolean;
    try {
      ok = verify(HASH[algorithm], base, keyOptions(algorithm, key, each), signature);
    } catch {
      ok = false; // a signature of the wrong shape for this encoding
    }
    if (ok) return algorithm.startsWith('ecdsa-') ? { ok, encoding: each } : { ok };
  }
  return { ok: false };
}
