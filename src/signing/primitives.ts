/**
 * The cryptographic primitives signing and verification need, with Web Crypto: a digest of the
 * body, a signature over the base, and a signature check. Every runtime runs these; the
 * package's Node build swaps in primitives.node.ts (the same functions on `node:crypto`,
 * synchronous, about a fifth faster per delivery on Node: BENCHMARKS.md), through the `node`
 * export condition (scripts/bundle.ts). Both implementations pass the same tests
 * (primitives.test.ts).
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import type { DigestAlgorithm, SignatureAlgorithm } from './algorithm-names.js';
import { IMPORT } from './key-material.js';
import { importableBytes, unreadableKey, type SigningKey } from './keys.js';
import type { VerifyingKey } from './verifying-key.js';

const WEB_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'SHA-512', 'sha-256': 'SHA-256' };

/** Web Crypto's parameters for signing and verifying with each algorithm. */
const SIGNATURE: Record<
  SignatureAlgorithm,
  webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams | webcrypto.RsaPssParams
> = {
  'ecdsa-p521-sha512': { name: 'ECDSA', hash: 'SHA-512' },
  'ecdsa-p256-sha256': { name: 'ECDSA', hash: 'SHA-256' },
  ed25519: { name: 'Ed25519' },
  'hmac-sha256': { name: 'HMAC' }, // verified in constant time by Web Crypto
  // RFC 9421 §3.3.1: PSS with SHA-512 and a 64-byte salt.
  'rsa-pss-sha512': { name: 'RSA-PSS', saltLength: 64 },
  'rsa-v1_5-sha256': { name: 'RSASSA-PKCS1-v1_5' },
};

/**
 * The digest of bytes.
 *
 * @example
 * ```ts
 * await digestBytes('sha-256', new TextEncoder().encode('{}'));
 * ```
 */
export async function digestBytes(
  algorithm: DigestAlgorithm,
  bytes: Uint8Array,
): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(WEB_HASH[algorithm], bytes));
}

/**
 * Whether `signature` (for ECDSA: raw r‖s) signs `base` under `key` with `algorithm`. Never
 * rejects: a key or signature the primitive will not take is no match.
 *
 * @example
 * ```ts
 * await verifyPrimitive('ecdsa-p521-sha512', key, base, rawSignature); // true
 * ```
 */
export async function verifyPrimitive(
  algorithm: SignatureAlgorithm,
  key: VerifyingKey,
  base: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    const cryptoKey = await key.cryptoKey(algorithm);
    return await crypto.subtle.verify(SIGNATURE[algorithm], cryptoKey, signature, base);
  } catch {
    return false;
  }
}

/** {@link SigningKey}s imported into Web Crypto, once per key and algorithm. */
const imported = new WeakMap<SigningKey, Map<SignatureAlgorithm, Promise<webcrypto.CryptoKey>>>();

function signingCryptoKey(
  key: SigningKey,
  algorithm: SignatureAlgorithm,
): Promise<webcrypto.CryptoKey> {
  let byAlgorithm = imported.get(key);
  if (!byAlgorithm) {
    byAlgorithm = new Map();
    imported.set(key, byAlgorithm);
  }
  let cryptoKey = byAlgorithm.get(algorithm);
  if (!cryptoKey) {
    const format = key.type === 'secret' ? 'raw' : 'pkcs8';
    cryptoKey = crypto.subtle.importKey(format, importableBytes(key), IMPORT[algorithm], false, [
      'sign',
    ]);
    byAlgorithm.set(algorithm, cryptoKey);
  }
  return cryptoKey;
}

/**
 * The signature of `base` under `key` with `algorithm` (for ECDSA: raw r‖s, which the caller
 * encodes). The key must suit the algorithm (`assertKeyFits`); one whose DER Web Crypto refuses
 * rejects with the configuration error of an unreadable key, which names no key material.
 *
 * @example
 * ```ts
 * const raw = await signPrimitive('ecdsa-p521-sha512', toSigningKey(pem), base); // 132 bytes
 * ```
 */
export async function signPrimitive(
  algorithm: SignatureAlgorithm,
  key: SigningKey,
  base: Uint8Array,
): Promise<Uint8Array> {
  let cryptoKey: webcrypto.CryptoKey;
  try {
    cryptoKey = await signingCryptoKey(key, algorithm);
  } catch {
    throw unreadableKey();
  }
  return new Uint8Array(await crypto.subtle.sign(SIGNATURE[algorithm], cryptoKey, base));
}
