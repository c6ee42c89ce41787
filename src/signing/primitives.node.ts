/**
 * primitives.ts on `node:crypto`, for the package's Node build only (scripts/bundle.ts swaps it
 * in under the `node` export condition): synchronous hashing and verification without Web
 * Crypto's thread-pool round trips. Same functions, same answers (primitives.test.ts runs both).
 */
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  timingSafeEqual,
  type KeyObject,
  verify,
} from 'node:crypto';
import type { DigestAlgorithm, SignatureAlgorithm } from './algorithm-names.js';
import { HASH, keyOptions } from './algorithms.js';
import { hash } from './digest.js';
import { materialOf, type VerifyingKey } from './verifying-key.js';

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
  return hash(algorithm, bytes);
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
    // The signature is raw r‖s by now (verify-base.ts converted DER).
    return verify(HASH[algorithm], base, keyOptions(algorithm, keyObject, 'ieee-p1363'), signature);
  } catch {
    return false; // a key or signature Node will not take for this algorithm
  }
}
