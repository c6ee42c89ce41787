import { createPrivateKey, createSecretKey, KeyObject, type JsonWebKeyInput } from 'node:crypto';
import { UpvestConfigurationError } from '../errors.js';
import type { SignatureAlgorithm } from './algorithm-names.js';

export type { SignatureAlgorithm } from './algorithm-names.js';

/**
 * A key as PEM text, a JSON Web Key (`kty: "oct"` for HMAC), a `KeyObject`, or HMAC secret
 * bytes.
 *
 * @example
 * ```ts
 * const key: KeyInput = await readFile('upvest-private.pem', 'utf8');
 * ```
 */
export type KeyInput = string | SigningJwk | KeyObject | Uint8Array;

/**
 * A JSON Web Key (RFC 7517) as the signing functions take it. Our own structural type, not
 * `node:crypto`'s `JsonWebKey`, whose place and shape change between `@types/node` majors (25
 * moved it), so our declarations type-check under every supported one.
 *
 * @example
 * ```ts
 * const jwk: SigningJwk = { kty: 'oct', k: 'c2VjcmV0' };
 * ```
 */
export interface SigningJwk {
  readonly kty?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly d?: string;
  readonly n?: string;
  readonly e?: string;
  readonly k?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly [member: string]: unknown;
}

// Messages name the kind of key only: the key material must never reach an error or a log,
// so Node's own error (the cause) is dropped too.
function unusable(kind: string): UpvestConfigurationError {
  return new UpvestConfigurationError(
    `the ${kind} key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)`,
  );
}

function secretKey(bytes: Uint8Array): KeyObject {
  // Refused like any unreadable key (toSigningKey names the kind, never the material).
  if (bytes.length === 0) throw new RangeError();
  return createSecretKey(bytes);
}

function fromJwk(jwk: SigningJwk): KeyObject {
  if (jwk.kty === 'oct') {
    // No k: no bytes, which secretKey refuses.
    return secretKey(Buffer.from(jwk.k ?? '', 'base64url'));
  }
  // Node checks the members itself; a malformed JWK throws and is reported as unusable.
  const input: JsonWebKeyInput = { key: jwk, format: 'jwk' };
  return createPrivateKey(input);
}

/**
 * Reads a private (or secret) key for signing.
 *
 * @example
 * ```ts
 * const key = toSigningKey(pem); // KeyObject { type: 'private', asymmetricKeyType: 'ec' }
 * ```
 */
export function toSigningKey(input: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (input instanceof Uint8Array) key = secretKey(input);
    else if (typeof input === 'string') key = createPrivateKey(input);
    else key = fromJwk(input);
  } catch {
    throw unusable('private');
  }
  if (key.type === 'public') {
    throw new UpvestConfigurationError('a public key cannot sign: pass the private key');
  }
  return key;
}

const CURVES: Record<string, SignatureAlgorithm> = {
  secp521r1: 'ecdsa-p521-sha512',
  prime256v1: 'ecdsa-p256-sha256',
};

/**
 * The algorithm a key implies: P-521 → `ecdsa-p521-sha512` (Upvest), P-256 →
 * `ecdsa-p256-sha256`, Ed25519 → `ed25519`, a secret → `hmac-sha256`, an RSA-PSS key →
 * `rsa-pss-sha512`, an RSA key → `rsa-v1_5-sha256` (name `rsa-pss-sha512` explicitly for PSS
 * with a plain RSA key). Throws for other keys.
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
      const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
      const algorithm = CURVES[curve];
      if (algorithm) return algorithm;
      throw new UpvestConfigurationError(
        `EC keys on curve ${curve} are not supported; use P-521 or P-256`,
      );
    }
    default:
      throw new UpvestConfigurationError(
        `${key.asymmetricKeyType ?? 'this'} keys are not supported for HTTP message signatures`,
      );
  }
}

/**
 * Whether a key can be used with an algorithm: the curve must match for ECDSA, HMAC needs a
 * secret, RSA-PSS takes RSA and RSA-PSS keys. This stops, say, `ecdsa-p256-sha256` being
 * computed with a P-521 key, or an `alg` parameter turning a public key into an HMAC secret.
 *
 * @example
 * ```ts
 * keyFits('ecdsa-p256-sha256', p521PublicKey); // false
 * ```
 */
export function keyFits(algorithm: SignatureAlgorithm, key: KeyObject): boolean {
  switch (algorithm) {
    case 'hmac-sha256':
      return key.type === 'secret';
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519';
    case 'rsa-pss-sha512':
      return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
    case 'rsa-v1_5-sha256':
      return key.asymmetricKeyType === 'rsa';
    case 'ecdsa-p521-sha512':
    case 'ecdsa-p256-sha256':
      return (
        key.asymmetricKeyType === 'ec' &&
        CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] === algorithm
      );
  }
}

/**
 * Throws a configuration error when {@link keyFits} says no. The message names the algorithm
 * and the kind of key, never the key.
 *
 * @example
 * ```ts
 * assertKeyFits('ed25519', toSigningKey(pem));
 * ```
 */
export function assertKeyFits(algorithm: SignatureAlgorithm, key: KeyObject): void {
  if (keyFits(algorithm, key)) return;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const kind =
    key.type === 'secret'
      ? 'a secret key'
      : `a key of type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
  throw new UpvestConfigurationError(`${algorithm} cannot be used with ${kind}`);
}
