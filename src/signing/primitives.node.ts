/**
 * primitives.ts on `node:crypto`, for the package's Node build only (scripts/bundle.ts swaps it
 * in under the `node` export condition): synchronous hashing and verification without Web
 * Crypto's thread-pool round trips. Same functions, same answers (primitives.test.ts runs both).
 */
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  createSecretKey,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { DigestAlgorithm, SignatureAlgorithm } from './algorithm-names.js';
import { materialOf, type VerifyingKey } from './verifying-key.js';

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'sha512', 'sha-256': 'sha256' };

const SIGNATURE_HASH: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': null, // createHmac below
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

/** {@link VerifyingKey}s as Node keys, made once each. */
const keyObjects = new WeakMap<VerifyingKey, KeyObject>();

function keyObjectOf(key: VerifyingKey): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    const material = materialOf(key);
    keyObject =
      material.format === 'jwk'
        ? createPublicKey({ key: material.jwk as never, format: 'jwk' })
        : material.format === 'raw'
          ? createSecretKey(material.bytes)
          : createPublicKey({ key: Buffer.from(material.bytes), format: 'der', type: 'spki' });
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** See primitives.ts. */
export function digestBytes(algorithm: DigestAlgorithm, bytes: Uint8Array): Uint8Array {
  return createHash(NODE_HASH[algorithm]).update(bytes).digest();
}

/** See primitives.ts. */
export function verifyPrimitive(
  algorithm: SignatureAlgorithm,
  key: VerifyingKey,
  base: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const keyObject = keyObjectOf(key);
    if (algorithm === 'hmac-sha256') {
      // timingSafeEqual throws for another length: no match, caught below.
      return timingSafeEqual(createHmac('sha256', keyObject).update(base).digest(), signature);
    }
    const options = algorithm.startsWith('ecdsa-')
      ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const }
      : algorithm === 'rsa-pss-sha512'
        ? { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }
        : { key: keyObject };
    return verify(SIGNATURE_HASH[algorithm], base, options, signature);
  } catch {
    return false; // a key or signature Node will not take for this algorithm
  }
}
