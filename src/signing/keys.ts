import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  KeyObject,
  type JsonWebKey,
} from 'node:crypto';
import { UpvestConfigurationError } from '../errors.js';

/** A key as PEM text, a JSON Web Key, a `KeyObject`, or HMAC secret bytes. */
export type KeyInput = string | JsonWebKey | KeyObject | Uint8Array;

/** The algorithms of HTTP message signatures this package signs and verifies. */
export type SignatureAlgorithm =
  | 'ecdsa-p521-sha512'
  | 'ecdsa-p256-sha256'
  | 'ed25519'
  | 'hmac-sha256'
  | 'rsa-pss-sha512'
  | 'rsa-v1_5-sha256';

// Messages name the kind of key only: the key material must never reach an error or a log.
function unusable(kind: string): UpvestConfigurationError {
  return new UpvestConfigurationError(
    `the ${kind} key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)`,
  );
}

/** Reads a private (or secret) key for signing. */
export function toSigningKey(input: KeyInput): KeyObject {
  try {
    if (input instanceof KeyObject) return input;
    if (input instanceof Uint8Array) return createSecretKey(input);
    if (typeof input === 'string') return createPrivateKey(input);
    return createPrivateKey({ key: input, format: 'jwk' });
  } catch {
    throw unusable('private');
  }
}

/** Reads a public (or secret) key for verifying; a private key gives its public half. */
export function toVerifyingKey(input: KeyInput): KeyObject {
  try {
    if (input instanceof KeyObject)
      return input.type === 'private' ? createPublicKey(input) : input;
    if (input instanceof Uint8Array) return createSecretKey(input);
    if (typeof input === 'string') return createPublicKey(input);
    return createPublicKey({ key: input, format: 'jwk' });
  } catch {
    throw unusable('public');
  }
}

/**
 * The algorithm a key implies: P-521 → ecdsa-p521-sha512 (Upvest), P-256 → ecdsa-p256-sha256,
 * Ed25519 → ed25519, a secret → hmac-sha256, RSA-PSS → rsa-pss-sha512, RSA → rsa-v1_5-sha256.
 *
 * @example
 * ```ts
 * algorithmForKey(generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey); // 'ecdsa-p521-sha512'
 * ```
 */
export function algorithmForKey(key: KeyObject): SignatureAlgorithm {
  if (key.type === 'secret') return 'hmac-sha256';
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'ed25519';
    case 'rsa-pss':
      return 'rsa-pss-sha512';
    case 'rsa':
      return 'rsa-v1_5-sha256';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp521r1') return 'ecdsa-p521-sha512';
      if (curve === 'prime256v1') return 'ecdsa-p256-sha256';
      throw new UpvestConfigurationError(
        `EC keys on curve ${curve ?? 'unknown'} are not supported; use P-521 or P-256`,
      );
    }
    default:
      throw new UpvestConfigurationError(
        `${key.asymmetricKeyType ?? 'this'} keys are not supported for HTTP message signatures`,
      );
  }
}
