/**
 * A signature over a signature base, verified with Web Crypto, the same on every runtime. ECDSA
 * signatures arrive in DER (Upvest's signers) or raw r‖s (RFC 9421); Web Crypto verifies r‖s
 * only, so DER is converted first (der.ts).
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import type { EcdsaEncoding, SignatureAlgorithm } from './algorithm-names.js';
import { derToRaw } from './der.js';
import type { VerifyingKey } from './verifying-key.js';

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
  if (size === undefined) return { ok: await attempt(algorithm, key, base, signature) };
  for (const each of encoding === 'either' ? (['der', 'ieee-p1363'] as const) : [encoding]) {
    const raw = each === 'der' ? derToRaw(signature, size) : signature;
    if (raw?.length === size * 2 && (await attempt(algorithm, key, base, raw))) {
      return { ok: true, encoding: each };
    }
  }
  return { ok: false };
}

async function attempt(
  algorithm: SignatureAlgorithm,
  key: VerifyingKey,
  base: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await crypto.subtle.verify(
      VERIFY[algorithm],
      await key.cryptoKey(algorithm),
      signature,
      base,
    );
  } catch {
    return false; // a key or signature Web Crypto will not take for this algorithm
  }
}
