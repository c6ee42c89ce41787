/**
 * primitives.ts on `node:crypto`, for the package's Node build only (scripts/bundle.ts swaps it
 * in under the `node` export condition): synchronous hashing, signing and verification without
 * Web Crypto's thread-pool round trips. Same functions, same answers (primitives.test.ts runs
 * both). The testing entry, which only runs on Node, signs with these synchronously
 * (src/testing/sign-sync.ts).
 */
import {
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign,
  timingSafeEqual,
  type KeyObject,
  type SignKeyObjectInput,
  verify,
} from 'node:crypto';
import type { DigestAlgorithm, EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { importableBytes, unreadableKey, type SigningKey } from './keys.js';
import { materialOf, type VerifyingKey } from './verifying-key.js';

/** Node's hash of each algorithm, for `crypto.sign` and `crypto.verify` (none: the key decides). */
const HASH: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': null, // HMAC is computed with createHmac, not sign/verify
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'sha512', 'sha-256': 'sha256' };

/** The key as Node's sign and verify take it for an algorithm: ECDSA's encoding, PSS's padding. */
function keyOptions(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  encoding: EcdsaEncoding,
): KeyObject | SignKeyObjectInput {
  if (algorithm.startsWith('ecdsa-')) return { key, dsaEncoding: encoding };
  // RFC 9421 §3.3.1: PSS with SHA-512 and a 64-byte salt.
  if (algorithm === 'rsa-pss-sha512') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
  }
  // rsa-v1_5-sha256 is Node's default RSA padding (PKCS#1 v1.5); Ed25519 takes the key as is.
  return key;
}

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

/** {@link SigningKey}s as Node keys, made once each. */
const signingKeyObjects = new WeakMap<SigningKey, KeyObject>();

function signingKeyObjectOf(key: SigningKey): KeyObject {
  let keyObject = signingKeyObjects.get(key);
  if (!keyObject) {
    try {
      const bytes = Buffer.from(importableBytes(key));
      keyObject =
        key.type === 'secret'
          ? createSecretKey(bytes)
          : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
    } catch {
      throw unreadableKey(); // Node's own error would describe the key material
    }
    signingKeyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** See primitives.ts. */
export function digestBytes(algorithm: DigestAlgorithm, bytes: Uint8Array): Uint8Array {
  return createHash(NODE_HASH[algorithm]).update(bytes).digest();
}

/** See primitives.ts. */
export function signPrimitive(
  algorithm: SignatureAlgorithm,
  key: SigningKey,
  base: Uint8Array,
): Uint8Array {
  const keyObject = signingKeyObjectOf(key);
  if (algorithm === 'hmac-sha256') return createHmac('sha256', keyObject).update(base).digest();
  // r‖s for ECDSA, as Web Crypto signs: the caller encodes it (algorithms.ts).
  return sign(HASH[algorithm], base, keyOptions(algorithm, keyObject, 'ieee-p1363'));
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
