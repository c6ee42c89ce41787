/**
 * Keys for verifying, read with Web Crypto (`crypto.subtle`) so that verification runs on Node,
 * Deno, Bun, workerd and edge runtimes alike (signing keys are keys.ts's; both read PEM, DER and
 * `KeyObject`s with key-material.ts). A receiver only ever needs the public half.
 *
 * A key is read once into its material (what kind of key, and the bytes or JWK Web Crypto
 * imports), then imported per algorithm and cached: importing a P-521 point validates it and costs
 * about as much as a verification.
 */
// Types only (erased from the JavaScript): @types/node names Web Crypto's types under webcrypto.
import type { webcrypto } from 'node:crypto';
import { UpvestConfigurationError } from '../errors.js';
import type { SignatureAlgorithm } from './algorithm-names.js';
import { base64UrlToBytes } from './base64.js';
import { derSequence, sequenceElements } from './der.js';
import {
  CURVE_OIDS,
  EC_PUBLIC_KEY,
  IMPLIED,
  IMPORT,
  importablePkcs8,
  readKeyInput,
  oidFamily,
  pkcs8,
  readPem,
  RSA_ENCRYPTION,
  rsaSpki,
  NULL,
  secretBytes,
  Unreadable,
  type Family,
} from './key-material.js';
import type { KeyInput, NodeKeyObjectLike, SigningJwk } from './key-input.js';

type CryptoKey = webcrypto.CryptoKey;
type JsonWebKey = webcrypto.JsonWebKey;

/** A key as Web Crypto imports it: a public JWK, SubjectPublicKeyInfo DER, or secret bytes. */
export type Material =
  | { readonly family: Family; readonly format: 'jwk'; readonly jwk: JsonWebKey }
  | { readonly family: Family; readonly format: 'spki' | 'raw'; readonly bytes: Uint8Array };

/** A key ready to verify with: what it is, and its Web Crypto key per algorithm on demand. */
export interface VerifyingKey {
  readonly family: Family;
  cryptoKey(algorithm: SignatureAlgorithm): Promise<CryptoKey>;
}

const FITS: Record<SignatureAlgorithm, readonly Family[]> = {
  'ecdsa-p521-sha512': ['P-521'],
  'ecdsa-p256-sha256': ['P-256'],
  ed25519: ['Ed25519'],
  'hmac-sha256': ['secret'],
  'rsa-pss-sha512': ['RSA', 'RSA-PSS'],
  'rsa-v1_5-sha256': ['RSA'],
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

async function readMaterial(input: KeyInput): Promise<Material> {
  return readKeyInput<Material | Promise<Material>>(input, {
    secret,
    pem: fromPem,
    keyObject: fromKeyObject,
    jwk: fromJwk,
  });
}

function secret(bytes: Uint8Array): Material {
  return { family: 'secret', format: 'raw', bytes: secretBytes(bytes) };
}

/** A key that reads but that no algorithm of ours uses: refused as such, not as unreadable. */
const UNSUPPORTED: Material = { family: 'unsupported', format: 'raw', bytes: new Uint8Array() };

async function fromKeyObject(key: NodeKeyObjectLike): Promise<Material> {
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
  const { label, der } = readPem(text);
  switch (label) {
    case 'PUBLIC KEY':
      return fromSpki(der);
    case 'PRIVATE KEY':
      return fromPkcs8(der);
    case 'RSA PUBLIC KEY':
      return { family: 'RSA', format: 'spki', bytes: rsaSpki(der) };
    case 'RSA PRIVATE KEY':
      return fromPkcs8(pkcs8(derSequence(RSA_ENCRYPTION, NULL), der));
    case 'EC PRIVATE KEY': {
      // SEC1 names its curve after the private scalar, further in than the other forms do.
      const curve = oidFamily(der, der.length);
      if (curve !== 'P-521' && curve !== 'P-256') return UNSUPPORTED;
      return fromPkcs8(pkcs8(derSequence(EC_PUBLIC_KEY, CURVE_OIDS[curve]), der));
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
  // As for SPKI: an RSA-PSS key is read as the PKCS#1 key inside, under rsaEncryption.
  const pkcs8Der = importablePkcs8(der, family);
  const key = await crypto.subtle.importKey('pkcs8', pkcs8Der, IMPORT[IMPLIED[family]], true, [
    'sign',
  ]);
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as Record<string, unknown>;
  return { family, format: 'jwk', jwk: publicJwk(jwk) };
}
