/**
 * Keys for verifying, read with Web Crypto (`crypto.subtle`) so that verification runs on Node,
 * Deno, Bun, workerd and edge runtimes alike. Signing keeps Node's `KeyObject` (keys.ts); a
 * receiver only ever needs the public half.
 *
 * A key is read once into its material (what kind of key, and the bytes or JWK Web Crypto
 * imports), then imported per algorithm and cached: importing a P-521 point validates it and costs
 * about as much as a verification.
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import { UpvestConfigurationError } from '../errors.js';
import type { SignatureAlgorithm } from './algorithm-names.js';
import { base64ToBytes, base64UrlToBytes } from './base64.js';
import { sequenceElements } from './der.js';
import type { KeyInput, SigningJwk } from './keys.js';

type CryptoKey = webcrypto.CryptoKey;
type JsonWebKey = webcrypto.JsonWebKey;

/** The kinds of key this package verifies with; the family decides which algorithms fit. */
type Family = 'P-521' | 'P-256' | 'Ed25519' | 'RSA' | 'RSA-PSS' | 'secret' | 'unsupported';

/** A key as Web Crypto imports it: a public JWK, SubjectPublicKeyInfo DER, or secret bytes. */
export type Material =
  | { readonly family: Family; readonly format: 'jwk'; readonly jwk: JsonWebKey }
  | { readonly family: Family; readonly format: 'spki' | 'raw'; readonly bytes: Uint8Array };

/** A key ready to verify with: what it is, and its Web Crypto key per algorithm on demand. */
export interface VerifyingKey {
  readonly family: Family;
  cryptoKey(algorithm: SignatureAlgorithm): Promise<CryptoKey>;
}

const IMPLIED: Record<Exclude<Family, 'unsupported'>, SignatureAlgorithm> = {
  'P-521': 'ecdsa-p521-sha512',
  'P-256': 'ecdsa-p256-sha256',
  Ed25519: 'ed25519',
  RSA: 'rsa-v1_5-sha256',
  'RSA-PSS': 'rsa-pss-sha512',
  secret: 'hmac-sha256',
};

const FITS: Record<SignatureAlgorithm, readonly Family[]> = {
  'ecdsa-p521-sha512': ['P-521'],
  'ecdsa-p256-sha256': ['P-256'],
  ed25519: ['Ed25519'],
  'hmac-sha256': ['secret'],
  'rsa-pss-sha512': ['RSA', 'RSA-PSS'],
  'rsa-v1_5-sha256': ['RSA'],
};

/** How Web Crypto imports a key for an algorithm. */
const IMPORT: Record<
  SignatureAlgorithm,
  | webcrypto.RsaHashedImportParams
  | webcrypto.EcKeyImportParams
  | webcrypto.HmacImportParams
  | webcrypto.Algorithm
> = {
  'ecdsa-p521-sha512': { name: 'ECDSA', namedCurve: 'P-521' },
  'ecdsa-p256-sha256': { name: 'ECDSA', namedCurve: 'P-256' },
  ed25519: { name: 'Ed25519' },
  'hmac-sha256': { name: 'HMAC', hash: 'SHA-256' },
  'rsa-pss-sha512': { name: 'RSA-PSS', hash: 'SHA-512' },
  'rsa-v1_5-sha256': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
};

/**
 * The algorithm a key implies: P-521 → `ecdsa-p521-sha512` (Upvest), P-256 →
 * `ecdsa-p256-sha256`, Ed25519 → `ed25519`, a secret → `hmac-sha256`, an RSA-PSS key →
 * `rsa-pss-sha512`, an RSA key → `rsa-v1_5-sha256`; none for a key of another kind (P-384,
 * X25519, …), which reads but verifies nothing.
 */
export function impliedAlgorithm(key: VerifyingKey): SignatureAlgorithm | undefined {
  return key.family === 'unsupported' ? undefined : IMPLIED[key.family];
}

/** Whether a key can verify an algorithm (the curve must match; HMAC needs a secret). */
export function verifyingKeyFits(algorithm: SignatureAlgorithm, key: VerifyingKey): boolean {
  return FITS[algorithm].includes(key.family);
}

// Object keys (JWKs, KeyObjects, byte arrays) by identity; PEM text by value, a few at a time.
const byObject = new WeakMap<object, Promise<VerifyingKey>>();
const byText = new Map<string, Promise<VerifyingKey>>();
const TEXT_KEYS_KEPT = 32;

/**
 * Reads a public key (or the public half of a private one, or a secret) for verifying: PEM
 * (SPKI, PKCS#8, PKCS#1 RSA, SEC1 EC), a JWK, a Node `KeyObject` or secret bytes. Rejects with a
 * configuration error that names the kind of key only, never its material.
 *
 * @example
 * ```ts
 * const key = await readVerifyingKey(publicJwk);
 * impliedAlgorithm(key); // 'ecdsa-p521-sha512'
 * ```
 */
export function readVerifyingKey(input: KeyInput): Promise<VerifyingKey> {
  const cached = typeof input === 'string' ? byText.get(input) : byObject.get(input);
  if (cached) return cached;
  const reading = readMaterial(input).then(verifyingKey, () => {
    throw new UpvestConfigurationError(
      'the public key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)',
    );
  });
  if (typeof input === 'string') {
    if (byText.size >= TEXT_KEYS_KEPT) byText.delete(byText.keys().next().value!);
    byText.set(input, reading);
  } else byObject.set(input, reading);
  return reading;
}

/** What each key was read from: the Node build's primitives make their own key of it. */
const materials = new WeakMap<VerifyingKey, Material>();

/**
 * The material a key was read from (its JWK, SPKI DER or secret bytes). Internal: for the
 * primitives that do not use Web Crypto's keys (primitives.node.ts).
 */
export function materialOf(key: VerifyingKey): Material {
  const material = materials.get(key);
  if (!material) throw new TypeError('not a key read by readVerifyingKey');
  return material;
}

function verifyingKey(material: Material): VerifyingKey {
  const key = webKey(material);
  materials.set(key, material);
  return key;
}

function webKey(material: Material): VerifyingKey {
  const imported = new Map<SignatureAlgorithm, Promise<CryptoKey>>();
  return {
    family: material.family,
    cryptoKey(algorithm) {
      let key = imported.get(algorithm);
      if (!key) {
        const params = IMPORT[algorithm];
        const usages: webcrypto.KeyUsage[] = ['verify'];
        key =
          material.format === 'jwk'
            ? crypto.subtle.importKey('jwk', material.jwk, params, false, usages)
            : crypto.subtle.importKey(material.format, material.bytes, params, false, usages);
        imported.set(algorithm, key);
      }
      return key;
    },
  };
}

/**
 * Why a key could not be read, for readVerifyingKey to turn into the one configuration error
 * callers see (it names no detail: the detail would be about the key material).
 */
class Unreadable extends Error {}

async function readMaterial(input: KeyInput): Promise<Material> {
  if (input instanceof Uint8Array) return secret(input);
  if (typeof input === 'string') return fromPem(input);
  if (isKeyObject(input)) return fromKeyObject(input);
  return fromJwk(input);
}

function secret(bytes: Uint8Array): Material {
  if (bytes.length === 0) throw new Unreadable();
  return { family: 'secret', format: 'raw', bytes: Uint8Array.from(bytes) };
}

/** Node's `KeyObject`, recognised by shape so that this module imports nothing from Node. */
interface KeyObjectLike {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
  export(options?: { type: string; format: 'der' }): Uint8Array;
}

function isKeyObject(input: object): input is KeyObjectLike {
  const candidate = input as Partial<KeyObjectLike>;
  return (
    typeof candidate.export === 'function' &&
    ['secret', 'public', 'private'].includes(candidate.type as string)
  );
}

/** A key that reads but that no algorithm of ours uses: refused as such, not as unreadable. */
const UNSUPPORTED: Material = { family: 'unsupported', format: 'raw', bytes: new Uint8Array() };

async function fromKeyObject(key: KeyObjectLike): Promise<Material> {
  if (key.type === 'secret') return secret(new Uint8Array(key.export()));
  if (key.type === 'private') {
    return fromPkcs8(new Uint8Array(key.export({ type: 'pkcs8', format: 'der' })));
  }
  return fromSpki(new Uint8Array(key.export({ type: 'spki', format: 'der' })));
}

const JWK_FAMILIES: Record<string, Family> = {
  'P-521': 'P-521',
  'P-256': 'P-256',
  Ed25519: 'Ed25519',
};
/** A JWK's public members, by key type: all Web Crypto needs, and nothing it could misread. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
};

function publicJwk(jwk: Readonly<Record<string, unknown>>): JsonWebKey {
  const members = PUBLIC_MEMBERS[String(jwk['kty'])] ?? [];
  return Object.fromEntries(members.map((member) => [member, jwk[member]]));
}

function fromJwk(input: SigningJwk): Material {
  if (input.kty === 'oct') {
    // No k, or k no base64url: no bytes, which secret() refuses.
    return secret(base64UrlToBytes(String(input.k)) ?? new Uint8Array());
  }
  const family =
    input.kty === 'RSA' ? 'RSA' : JWK_FAMILIES[typeof input.crv === 'string' ? input.crv : ''];
  if (!family) {
    if (input.kty === 'EC' || input.kty === 'OKP') return UNSUPPORTED; // another curve
    throw new Unreadable();
  }
  if (input.kty !== 'RSA' && input.kty !== (family === 'Ed25519' ? 'OKP' : 'EC')) {
    throw new Unreadable();
  }
  // The public members only: Web Crypto imports a JWK with `d` as a private key, and refuses
  // one whose alg, use or key_ops do not fit the import.
  return { family, format: 'jwk', jwk: publicJwk(input) };
}

function fromPem(text: string): Promise<Material> | Material {
  const match =
    /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----\s*$/.exec(
      text,
    );
  const der = match ? base64ToBytes((match[2] ?? '').replace(/\r?\n/g, '')) : undefined;
  if (!match || !der) throw new Unreadable();
  switch (match[1]) {
    case 'PUBLIC KEY':
      return fromSpki(der);
    case 'PRIVATE KEY':
      return fromPkcs8(der);
    case 'RSA PUBLIC KEY':
      return { family: 'RSA', format: 'spki', bytes: rsaSpki(der) };
    case 'RSA PRIVATE KEY':
      return fromPkcs8(pkcs8(sequence(RSA_ENCRYPTION, NULL), der));
    case 'EC PRIVATE KEY': {
      // SEC1 names its curve after the private scalar, further in than the other forms do.
      const curve = oidFamily(der, der.length);
      if (curve !== 'P-521' && curve !== 'P-256') return UNSUPPORTED;
      return fromPkcs8(pkcs8(sequence(EC_PUBLIC_KEY, CURVE_OIDS[curve]), der));
    }
    default:
      throw new Unreadable();
  }
}

function fromSpki(der: Uint8Array): Material {
  const family = oidFamily(der);
  if (!family) return UNSUPPORTED;
  if (family !== 'RSA-PSS') return { family, format: 'spki', bytes: der };
  // Web Crypto reads RSA keys under rsaEncryption only; the key itself is the same PKCS#1 key.
  const key = sequenceElements(der)?.[1];
  if (key?.tag !== 0x03 || key.content[0] !== 0) throw new Unreadable();
  return { family, format: 'spki', bytes: rsaSpki(key.content.subarray(1)) };
}

/** The public half of a private key: imported with Web Crypto, exported as a JWK, `d` dropped. */
async function fromPkcs8(der: Uint8Array): Promise<Material> {
  const family = oidFamily(der);
  if (!family) return UNSUPPORTED;
  let pkcs8Der = der;
  if (family === 'RSA-PSS') {
    // As for SPKI: the PKCS#1 key inside, under rsaEncryption.
    const key = sequenceElements(der)?.[2];
    if (key?.tag !== 0x04) throw new Unreadable();
    pkcs8Der = pkcs8(sequence(RSA_ENCRYPTION, NULL), key.content);
  }
  const key = await crypto.subtle.importKey('pkcs8', pkcs8Der, IMPORT[IMPLIED[family]], true, [
    'sign',
  ]);
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as Record<string, unknown>;
  return { family, format: 'jwk', jwk: publicJwk(jwk) };
}

// The object identifiers of the algorithms and curves we read, DER-encoded (tag 06, length).
const oid = (...bytes: number[]) => Uint8Array.from([0x06, bytes.length, ...bytes]);
const EC_PUBLIC_KEY = oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
const CURVE_OIDS = {
  'P-256': oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'P-521': oid(0x2b, 0x81, 0x04, 0x00, 0x23),
} as const;
const RSA_ENCRYPTION = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
const RSASSA_PSS = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a);
const ED25519 = oid(0x2b, 0x65, 0x70);
const NULL = Uint8Array.from([0x05, 0x00]);

/**
 * The family named by the first algorithm identifier in a key's DER. The identifier sits in the
 * first few dozen bytes of SPKI, PKCS#8 and SEC1 alike, so those are searched, not parsed.
 */
function oidFamily(
  der: Uint8Array,
  window = 64,
): Exclude<Family, 'secret' | 'unsupported'> | undefined {
  const head = der.subarray(0, window);
  const has = (needle: Uint8Array) => indexOf(head, needle) !== -1;
  if (has(CURVE_OIDS['P-521'])) return 'P-521';
  if (has(CURVE_OIDS['P-256'])) return 'P-256';
  if (has(ED25519)) return 'Ed25519';
  if (has(RSASSA_PSS)) return 'RSA-PSS';
  if (has(RSA_ENCRYPTION)) return 'RSA';
  return undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i += 1) {
    for (let j = 0; j < needle.length; j += 1) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A DER TLV: tag, minimal length, content. */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const header =
    length < 0x80
      ? [tag, length]
      : length < 0x100
        ? [tag, 0x81, length]
        : [tag, 0x82, length >> 8, length & 0xff];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let at = header.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const sequence = (...parts: Uint8Array[]) => tlv(0x30, ...parts);

/** PKCS#1 `RSAPublicKey` wrapped as SubjectPublicKeyInfo, the only RSA form Web Crypto reads. */
function rsaSpki(pkcs1: Uint8Array): Uint8Array {
  return sequence(sequence(RSA_ENCRYPTION, NULL), tlv(0x03, Uint8Array.of(0), pkcs1));
}

/** A private key in its algorithm's own form (PKCS#1, SEC1) wrapped as PKCS#8. */
function pkcs8(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return sequence(Uint8Array.from([0x02, 0x01, 0x00]), algorithm, tlv(0x04, key));
}
