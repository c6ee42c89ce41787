/**
 * Reading keys into what Web Crypto imports, with nothing of Node: PEM text to DER, the object
 * identifiers that say what a key is, PKCS#1 and SEC1 keys wrapped as SPKI or PKCS#8 (the only
 * forms Web Crypto reads), and Node's `KeyObject` recognised by its shape. The verifying keys
 * (verifying-key.ts) and the signing keys (keys.ts) both read with these.
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithm-names.js';
import { base64ToBytes } from './base64.js';
import { derElement, derSequence, sequenceElements } from './der.js';
import type { KeyInput, NodeKeyObjectLike, SigningJwk } from './key-input.js';

/**
 * The kinds of key this package signs and verifies with; the family decides which algorithms fit.
 *
 * @example
 * ```ts
 * const family: Family = oidFamily(der) ?? 'unsupported';
 * ```
 */
export type Family = 'P-521' | 'P-256' | 'Ed25519' | 'RSA' | 'RSA-PSS' | 'secret' | 'unsupported';

/**
 * The algorithm each family implies when none is named.
 *
 * @example
 * ```ts
 * IMPLIED['P-521']; // 'ecdsa-p521-sha512'
 * ```
 */
export const IMPLIED: Readonly<Record<Exclude<Family, 'unsupported'>, SignatureAlgorithm>> = {
  'P-521': 'ecdsa-p521-sha512',
  'P-256': 'ecdsa-p256-sha256',
  Ed25519: 'ed25519',
  RSA: 'rsa-v1_5-sha256',
  'RSA-PSS': 'rsa-pss-sha512',
  secret: 'hmac-sha256',
};

/**
 * How Web Crypto imports a key for an algorithm, to sign or to verify.
 *
 * @example
 * ```ts
 * await crypto.subtle.importKey('pkcs8', der, IMPORT['ecdsa-p521-sha512'], false, ['sign']);
 * ```
 */
export const IMPORT: Readonly<
  Record<
    SignatureAlgorithm,
    | webcrypto.RsaHashedImportParams
    | webcrypto.EcKeyImportParams
    | webcrypto.HmacImportParams
    | webcrypto.Algorithm
  >
> = {
  'ecdsa-p521-sha512': { name: 'ECDSA', namedCurve: 'P-521' },
  'ecdsa-p256-sha256': { name: 'ECDSA', namedCurve: 'P-256' },
  ed25519: { name: 'Ed25519' },
  'hmac-sha256': { name: 'HMAC', hash: 'SHA-256' },
  'rsa-pss-sha512': { name: 'RSA-PSS', hash: 'SHA-512' },
  'rsa-v1_5-sha256': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
};

/**
 * Why a key could not be read. The readers turn it into the one configuration error callers see,
 * which names no detail: the detail would be about the key material.
 *
 * @example
 * ```ts
 * if (bytes.length === 0) throw new Unreadable();
 * ```
 */
export class Unreadable extends Error {}

/**
 * Whether an input is a `KeyObject` (or anything shaped like one).
 *
 * @example
 * ```ts
 * isKeyObject(createSecretKey(bytes)); // true
 * isKeyObject({ kty: 'oct', k: 'c2VjcmV0' }); // false
 * ```
 */
function isKeyObject(input: object): input is NodeKeyObjectLike {
  const candidate = input as Partial<NodeKeyObjectLike>;
  return (
    typeof candidate.export === 'function' &&
    ['secret', 'public', 'private'].includes(candidate.type as string)
  );
}

/**
 * Reads a key given in any of its forms with the reader for that form: both key readers (for
 * signing and for verifying) take the same inputs.
 *
 * @example
 * ```ts
 * const material = readKeyInput(input, { secret, pem: fromPem, keyObject: fromKeyObject, jwk: fromJwk });
 * ```
 */
export function readKeyInput<T>(
  input: KeyInput,
  readers: {
    readonly secret: (bytes: Uint8Array) => T;
    readonly pem: (text: string) => T;
    readonly keyObject: (key: NodeKeyObjectLike) => T;
    readonly jwk: (jwk: SigningJwk) => T;
  },
): T {
  if (input instanceof Uint8Array) return readers.secret(input);
  if (typeof input === 'string') return readers.pem(input);
  if (isKeyObject(input)) return readers.keyObject(input);
  return readers.jwk(input);
}

/**
 * A copy of secret bytes (the caller's array may change later); none is no key.
 *
 * @example
 * ```ts
 * secretBytes(new TextEncoder().encode('a shared secret'));
 * ```
 */
export function secretBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new Unreadable();
  return Uint8Array.from(bytes);
}

/**
 * The label and DER of a text that is one PEM block and nothing else.
 *
 * @example
 * ```ts
 * readPem(pem); // { label: 'PRIVATE KEY', der: Uint8Array [0x30, …] }
 * ```
 */
export function readPem(text: string): { label: string; der: Uint8Array } {
  const match =
    /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----\s*$/.exec(
      text,
    );
  const der = match ? base64ToBytes((match[2] ?? '').replace(/\r?\n/g, '')) : undefined;
  if (!match || !der) throw new Unreadable();
  return { label: match[1] ?? '', der };
}

// The object identifiers of the algorithms and curves we read, DER-encoded (tag 06, length).
const oid = (...bytes: number[]) => Uint8Array.from([0x06, bytes.length, ...bytes]);
/** `id-ecPublicKey`: an EC key, whatever its curve. */
export const EC_PUBLIC_KEY = oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
/** The curves we sign and verify on. */
export const CURVE_OIDS = {
  'P-256': oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'P-521': oid(0x2b, 0x81, 0x04, 0x00, 0x23),
} as const;
/** `rsaEncryption`, under which Web Crypto reads every RSA key. */
export const RSA_ENCRYPTION = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
const RSASSA_PSS = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a);
/** `id-Ed25519`. */
export const ED25519 = oid(0x2b, 0x65, 0x70);
/** ASN.1 NULL, the parameters of `rsaEncryption`. */
export const NULL = Uint8Array.from([0x05, 0x00]);

/**
 * The family named by the first algorithm identifier in a key's DER. The identifier sits in the
 * first few dozen bytes of SPKI, PKCS#8 and SEC1 alike, so those are searched, not parsed.
 *
 * @example
 * ```ts
 * oidFamily(spkiDer); // 'P-521'
 * ```
 */
export function oidFamily(
  der: Uint8Array,
  window = 64,
): Exclude<Family, 'secret' | 'unsupported'> | undefined {
  const head = der.subarray(0, window);
  const has = (needle: Uint8Array) => contains(head, needle);
  if (has(CURVE_OIDS['P-521'])) return 'P-521';
  if (has(CURVE_OIDS['P-256'])) return 'P-256';
  if (has(ED25519)) return 'Ed25519';
  if (has(RSASSA_PSS)) return 'RSA-PSS';
  if (has(RSA_ENCRYPTION)) return 'RSA';
  return undefined;
}

/**
 * Whether bytes contain a run of bytes.
 *
 * @example
 * ```ts
 * contains(der.subarray(0, 64), EC_PUBLIC_KEY); // true for an EC key on any curve
 * ```
 */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i += 1) {
    for (let j = 0; j < needle.length; j += 1) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * PKCS#1 `RSAPublicKey` wrapped as SubjectPublicKeyInfo, the only RSA form Web Crypto reads.
 *
 * @example
 * ```ts
 * crypto.subtle.importKey('spki', rsaSpki(pkcs1Der), params, false, ['verify']);
 * ```
 */
export function rsaSpki(pkcs1: Uint8Array): Uint8Array {
  return derSequence(derSequence(RSA_ENCRYPTION, NULL), derElement(0x03, Uint8Array.of(0), pkcs1));
}

/**
 * A private key in its algorithm's own form (PKCS#1, SEC1, an Ed25519 seed) wrapped as PKCS#8.
 *
 * @example
 * ```ts
 * pkcs8(derSequence(RSA_ENCRYPTION, NULL), pkcs1PrivateDer);
 * ```
 */
export function pkcs8(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return derSequence(Uint8Array.from([0x02, 0x01, 0x00]), algorithm, derElement(0x04, key));
}

/**
 * A PKCS#8 private key as Web Crypto imports it: an RSA-PSS key (`id-RSASSA-PSS`) rewrapped under
 * `rsaEncryption`, the only RSA identifier Web Crypto reads (the PKCS#1 key inside is the same);
 * anything else as it is, once its framing is checked.
 *
 * @example
 * ```ts
 * const der = importablePkcs8(readPem(pem).der, 'RSA-PSS');
 * ```
 */
export function importablePkcs8(der: Uint8Array, family: Family | undefined): Uint8Array {
  const elements = sequenceElements(der);
  // PrivateKeyInfo: version, algorithm, the key as an OCTET STRING (attributes may follow).
  const key = elements?.[2];
  if (elements?.[0]?.tag !== 0x02 || elements[1]?.tag !== 0x30 || key?.tag !== 0x04) {
    throw new Unreadable();
  }
  return family === 'RSA-PSS' ? pkcs8(derSequence(RSA_ENCRYPTION, NULL), key.content) : der;
}
