import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derElement, derSequence, sequenceElements } from './der.js';
import type { KeyInput } from './keys.js';
import {
  impliedAlgorithm,
  materialOf,
  readVerifyingKey,
  verifyingKeyFits,
} from './verifying-key.js';

// Each test reads keys it made itself: readVerifyingKey keeps what it read, so a key read by an
// earlier test would answer from that cache instead of being read again.
const spkiPem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();
const publicJwk = (key: KeyObject): KeyInput => ({ ...key.export({ format: 'jwk' }) });
const toPem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64')}\n-----END ${label}-----\n`;

describe('readVerifyingKey, keys no algorithm uses', () => {
  it.each<[string, () => KeyInput]>([
    ['an X25519 SPKI PEM', () => spkiPem(generateKeyPairSync('x25519').publicKey)],
    ['an X25519 public JWK', () => publicJwk(generateKeyPairSync('x25519').publicKey)],
    [
      'a P-384 public JWK',
      () => publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey),
    ],
    ['an Ed448 public JWK', () => publicJwk(generateKeyPairSync('ed448').publicKey)],
  ])('should read %s as unsupported, with no material to import', async (_name, make) => {
    const key = await readVerifyingKey(make());
    expect(key.family).toBe('unsupported');
    expect(impliedAlgorithm(key)).toBeUndefined();
    expect(verifyingKeyFits('ed25519', key)).toBe(false);
    expect(materialOf(key)).toEqual({
      family: 'unsupported',
      format: 'raw',
      bytes: new Uint8Array(),
    });
  });
});

describe('readVerifyingKey, public JWKs', () => {
  it.each<[string, () => KeyObject, string, string]>([
    [
      'P-521',
      () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey,
      'P-521',
      'ecdsa-p521-sha512',
    ],
    [
      'P-256',
      () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      'P-256',
      'ecdsa-p256-sha256',
    ],
    ['Ed25519', () => generateKeyPairSync('ed25519').publicKey, 'Ed25519', 'ed25519'],
  ])('should read a %s JWK as its curve, not as RSA', async (_name, make, family, algorithm) => {
    const key = await readVerifyingKey(publicJwk(make()));
    expect(key.family).toBe(family);
    expect(impliedAlgorithm(key)).toBe(algorithm);
  });
});

describe('readVerifyingKey, the Web Crypto keys it imports', () => {
  it.each<[string, () => KeyInput]>([
    ['a JWK', () => publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)],
    ['an SPKI PEM', () => spkiPem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)],
  ])('should import a key read from %s as not extractable, to verify only', async (_name, make) => {
    const key = await readVerifyingKey(make());
    const cryptoKey = await key.cryptoKey('ecdsa-p256-sha256');
    expect(cryptoKey.extractable).toBe(false);
    expect(cryptoKey.usages).toEqual(['verify']);
  });
});

describe('readVerifyingKey, an RSASSA-PSS SPKI framed wrong', () => {
  // A real RSASSA-PSS SPKI: SEQUENCE { SEQUENCE { id-RSASSA-PSS … }, BIT STRING { 00, key } }.
  const spki = () => {
    const der = generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const [algorithm, bits] = sequenceElements(new Uint8Array(der))!;
    return { algorithm: derElement(0x30, algorithm!.content), key: bits!.content.subarray(1) };
  };

  it('should read the SPKI as it is written', async () => {
    const { algorithm, key } = spki();
    const der = derSequence(algorithm, derElement(0x03, Uint8Array.of(0), key));
    expect(impliedAlgorithm(await readVerifyingKey(toPem('PUBLIC KEY', der)))).toBe(
      'rsa-pss-sha512',
    );
  });

  it.each<[string, (key: Uint8Array) => Uint8Array]>([
    [
      'a key in an OCTET STRING, not a BIT STRING',
      (key) => derElement(0x04, Uint8Array.of(0), key),
    ],
    ['a BIT STRING with unused bits', (key) => derElement(0x03, Uint8Array.of(1), key)],
  ])('should refuse %s, without the key in the error', async (_name, frame) => {
    const { algorithm, key } = spki();
    const text = toPem('PUBLIC KEY', derSequence(algorithm, frame(key)));
    const error = await readVerifyingKey(text).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toBe(
      'the public key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)',
    );
    expect(String(error)).not.toContain(Buffer.from(key).toString('base64').slice(0, 40));
  });
});

describe('materialOf', () => {
  it('should refuse a key readVerifyingKey did not read, and say so', () => {
    const foreign = {
      family: 'P-256',
      cryptoKey: () => Promise.reject(new Error('no key')),
    } as const;
    expect(() => materialOf(foreign)).toThrow(TypeError);
    expect(() => materialOf(foreign)).toThrow('not a key read by readVerifyingKey');
  });
});
