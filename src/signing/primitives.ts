/**
 * The two cryptographic primitives verification needs, with Web Crypto: a digest of the body and
 * a signature check over the base. Every runtime runs these; the package's Node build swaps in
 * primitives.node.ts (the same functions on `node:crypto`, synchronous, about a fifth faster per
 * delivery on Node: BENCHMARKS.md), through the `node` export condition (scripts/bundle.ts).
 * Both implementations pass the same tests (primitives.test.ts).
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import type { DigestAlgorithm, SignatureAlgorithm } from './algorithm-names.js';
import type { VerifyingKey } from './verifying-key.js';

const WEB_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'SHA-512', 'sha-256': 'SHA-256' };

/** Web Crypto's parameters for verifying each algorithm. */
const VERIFY: Record<
  SignatureAlgorithm,
  webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams | webcrypto.RsaPssParams
> = {
  'ecdsa-p521-sha512': { name: 'ECDSA', hash: 'SHA-512' },
  'ecdsa-p256-sha256': { name: 'ECDSA', hash: 'SHA-256' },
  ed25519: { name: 'Ed25519' },
  'hmac-sha256': { name: 'HMAC' }, // compared in constant time by Web Crypto
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
    return await crypto.subtle.verify(VERIFY[algorithm], cryptoKey, signature, base);
  } catch {
    return false;
  }
}
