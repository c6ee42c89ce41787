/**
 * Keys for signing, read with nothing of Node so that the signing entry runs on every runtime:
 * PEM (PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`), a private JWK, a Node
 * `KeyObject` (recognised by shape) or HMAC secret bytes, each read once into PKCS#8 DER or the
 * secret's bytes. Reading only parses, synchronously, so a client refuses an unusable key when it
 * is created; the primitives import the key (Web Crypto, or node:crypto in the Node build) on
 * first use. Web Crypto cannot import a PKCS#8 key without being told its algorithm, so what a
 * key is comes from its DER (or its KeyObject), not from an imported key.
 */
import { UpvestConfigurationError } from '../errors.js';
import type { SignatureAlgorithm } from './algorithm-names.js';
import { base64UrlToBytes } from './base64.js';
import { derElement, derInteger, derSequence } from './der.js';
import {
  contains,
  CURVE_OIDS,
  EC_PUBLIC_KEY,
  ED25519,
  importablePkcs8,
  readKeyInput,
  NULL,
  oidFamily,
  pkcs8,
  readPem,
  RSA_ENCRYPTION,
  secretBytes,
  Unreadable,
  type Family,
} from './key-material.js';
import type { KeyInput, NodeKeyObjectLike, SigningJwk } from './key-input.js';

export type { SignatureAlgorithm } from './algorithm-names.js';
export type { KeyInput, NodeKeyObjectLike, SigningJwk } from './key-input.js';

/**
 * What a key is, in the words of Node's `KeyObject` (which has this shape): enough to choose an
 * algorithm for it and to say, in an error, why one does not fit.
 *
 * @example
 * ```ts
 * const kind: KeyKind = { type: 'private', asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve: 'secp521r1' } };
 * ```
 */
export interface KeyKind {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
  readonly asymmetricKeyDetails?: { readonly namedCurve?: string | undefined } | undefined;
}

/** What each family of key is, as Node names it. */
const KINDS: Record<Exclude<Family, 'secret' | 'unsupported'>, KeyKind> = {
  'P-521': {
    type: 'private',
    asymmetricKeyType: 'ec',
    asymmetricKeyDetails: { namedCurve: 'secp521r1' },
  },
  'P-256': {
    type: 'private',
    asymmetricKeyType: 'ec',
    asymmetricKeyDetails: { namedCurve: 'prime256v1' },
  },
  Ed25519: { type: 'private', asymmetricKeyType: 'ed25519' },
  RSA: { type: 'private', asymmetricKeyType: 'rsa' },
  'RSA-PSS': { type: 'private', asymmetricKeyType: 'rsa-pss' },
};

/**
 * A private or secret key read for signing: what it is, and its PKCS#8 DER (or the secret's
 * bytes), which {@link SigningKey.export} gives back as a `KeyObject` would. The bytes are in a
 * private field: neither `util.inspect` nor `JSON.stringify` shows them. Shaped like a
 * `KeyObject`, so it is a {@link KeyInput} too.
 *
 * @example
 * ```ts
 * const key = toSigningKey(pem);
 * key.asymmetricKeyType; // 'ec'
 * ```
 */
export class SigningKey implements NodeKeyObjectLike, KeyKind {
  readonly type: 'private' | 'secret';
  readonly asymmetricKeyType: string | undefined;
  readonly asymmetricKeyDetails: { readonly namedCurve?: string | undefined } | undefined;
  readonly #bytes: Uint8Array;

  constructor(kind: KeyKind, bytes: Uint8Array) {
    if (kind.type === 'public') throw publicKey();
    this.type = kind.type;
    this.asymmetricKeyType = kind.asymmetricKeyType;
    const curve = kind.asymmetricKeyDetails?.namedCurve;
    this.asymmetricKeyDetails = curve === undefined ? undefined : { namedCurve: curve };
    this.#bytes = bytes;
  }

  /** A copy of the PKCS#8 DER, or of the secret's bytes. */
  export(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/**
 * The configuration error for a key that cannot be read or imported. It names the kind of key
 * only: the material must never reach an error or a log, so the cause is dropped too.
 *
 * @example
 * ```ts
 * throw unreadableKey();
 * ```
 */
export function unreadableKey(): UpvestConfigurationError {
  return new UpvestConfigurationError(
    'the private key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)',
  );
}

function publicKey(): UpvestConfigurationError {
  return new UpvestConfigurationError('a public key cannot sign: pass the private key');
}

// Object keys (JWKs, KeyObjects, byte arrays) by identity; PEM text by value, a few at a time.
const byObject = new WeakMap<object, SigningKey>();
const byText = new Map<string, SigningKey>();
const TEXT_KEYS_KEPT = 32;

/**
 * Reads a private (or secret) key for signing, once per key: the same object or PEM text gives
 * the same {@link SigningKey}. Throws a configuration error for a key that cannot be read or is
 * public; a key whose kind no algorithm uses reads, and {@link algorithmForKey} refuses it.
 *
 * @example
 * ```ts
 * const key = toSigningKey(pem); // SigningKey { type: 'private', asymmetricKeyType: 'ec' }
 * ```
 */
export function toSigningKey(input: KeyInput): SigningKey {
  if (input instanceof SigningKey) return input;
  const cached = typeof input === 'string' ? byText.get(input) : byObject.get(input);
  if (cached) return cached;
  let key: SigningKey;
  try {
    key = readSigningKey(input);
  } catch (error) {
    if (error instanceof UpvestConfigurationError) throw error;
    throw unreadableKey();
  }
  if (typeof input === 'string') {
    if (byText.size >= TEXT_KEYS_KEPT) byText.delete(byText.keys().next().value!);
    byText.set(input, key);
  } else byObject.set(input, key);
  return key;
}

function readSigningKey(input: KeyInput): SigningKey {
  return readKeyInput(input, { secret, pem: fromPem, keyObject: fromKeyObject, jwk: fromJwk });
}

function secret(bytes: Uint8Array): SigningKey {
  return new SigningKey({ type: 'secret' }, secretBytes(bytes));
}

function fromKeyObject(key: NodeKeyObjectLike): SigningKey {
  if (key.type === 'secret') return secret(new Uint8Array(key.export()));
  if (key.type === 'public') throw publicKey();
  const der = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  importablePkcs8(der, oidFamily(der)); // its framing checked now, not at the first signature
  // What the KeyObject says it is: it names curves (P-384, …) that oidFamily does not know.
  return new SigningKey(key, der);
}

/** P-384, named so that refusing it says which curve it was. */
const P384 = Uint8Array.from([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]);

function fromPkcs8(der: Uint8Array): SigningKey {
  const family = oidFamily(der);
  importablePkcs8(der, family); // its framing checked now, not at the first signature
  if (family) return new SigningKey(KINDS[family], der);
  const head = der.subarray(0, 64);
  if (!contains(head, EC_PUBLIC_KEY)) return new SigningKey({ type: 'private' }, der);
  const namedCurve = contains(head, P384) ? 'secp384r1' : undefined;
  const kind: KeyKind = {
    type: 'private',
    asymmetricKeyType: 'ec',
    asymmetricKeyDetails: { namedCurve },
  };
  return new SigningKey(kind, der);
}

/**
 * The bytes the primitives import a key from: the secret's, or PKCS#8 DER as Web Crypto reads it
 * (an RSA-PSS key under `rsaEncryption`, see `importablePkcs8`). Node's build imports the same.
 *
 * @example
 * ```ts
 * crypto.subtle.importKey('pkcs8', importableBytes(key), params, false, ['sign']);
 * ```
 */
export function importableBytes(key: SigningKey): Uint8Array {
  const bytes = key.export();
  return key.type === 'secret' ? bytes : importablePkcs8(bytes, oidFamily(bytes));
}

// `openssl ecparam -genkey` writes the curve's parameters before the key; the key is what counts.
const EC_PARAMETERS = /^\s*-----BEGIN EC PARAMETERS-----[\s\S]*?-----END EC PARAMETERS-----/;

function fromPem(text: string): SigningKey {
  const { label, der } = readPem(text.replace(EC_PARAMETERS, ''));
  switch (label) {
    case 'PRIVATE KEY':
      return fromPkcs8(der);
    case 'RSA PRIVATE KEY':
      return fromPkcs8(pkcs8(derSequence(RSA_ENCRYPTION, NULL), der));
    case 'EC PRIVATE KEY': {
      // SEC1 names its curve after the private scalar, further in than the other forms do.
      const curve = oidFamily(der, der.length);
      if (curve !== 'P-521' && curve !== 'P-256') throw new Unreadable();
      return fromPkcs8(pkcs8(derSequence(EC_PUBLIC_KEY, CURVE_OIDS[curve]), der));
    }
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      throw publicKey();
    default:
      throw new Unreadable();
  }
}

/** A JWK member's bytes (base64url); a missing or empty one makes the key unreadable. */
function member(jwk: SigningJwk, name: string): Uint8Array {
  const value = jwk[name];
  const bytes = typeof value === 'string' ? base64UrlToBytes(value) : undefined;
  if (!bytes || bytes.length === 0) throw new Unreadable();
  return bytes;
}

const RSA_PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** A private JWK as PKCS#8 (RFC 5915 SEC1 for EC, RFC 8410 for Ed25519, RFC 8017 for RSA). */
function fromJwk(jwk: SigningJwk): SigningKey {
  // No k, or k no base64url: no bytes, which secretBytes refuses.
  if (jwk.kty === 'oct') return secret(base64UrlToBytes(String(jwk.k)) ?? new Uint8Array());
  if (jwk.d === undefined) throw publicKey();
  if (jwk.kty === 'EC' && (jwk.crv === 'P-521' || jwk.crv === 'P-256')) {
    const point = derElement(0x03, Uint8Array.of(0, 4), member(jwk, 'x'), member(jwk, 'y'));
    const sec1 = derSequence(
      Uint8Array.of(0x02, 0x01, 0x01),
      derElement(0x04, member(jwk, 'd')),
      derElement(0xa1, point),
    );
    return fromPkcs8(pkcs8(derSequence(EC_PUBLIC_KEY, CURVE_OIDS[jwk.crv]), sec1));
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return fromPkcs8(pkcs8(derSequence(ED25519), derElement(0x04, member(jwk, 'd'))));
  }
  if (jwk.kty === 'RSA') {
    const integers = RSA_PRIVATE_MEMBERS.map((name) => derInteger(member(jwk, name)));
    const pkcs1 = derSequence(Uint8Array.of(0x02, 0x01, 0x00), ...integers);
    return fromPkcs8(pkcs8(derSequence(RSA_ENCRYPTION, NULL), pkcs1));
  }
  throw new Unreadable();
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
 * algorithmForKey(toSigningKey(p521Pem)); // 'ecdsa-p521-sha512'
 * ```
 */
export function algorithmForKey(key: KeyKind): SignatureAlgorithm {
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
export function keyFits(algorithm: SignatureAlgorithm, key: KeyKind): boolean {
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
export function assertKeyFits(algorithm: SignatureAlgorithm, key: KeyKind): void {
  if (keyFits(algorithm, key)) return;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const kind =
    key.type === 'secret'
      ? 'a secret key'
      : `a key of type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
  throw new UpvestConfigurationError(`${algorithm} cannot be used with ${kind}`);
}
