import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignatureAlgorithm } from './algorithm-names.js';
import { signBase } from './algorithms.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import type { KeyInput } from './keys.js';
import { verifySignatureBase } from './verify-base.js';
import { signRequest } from './sign.js';
import { verifyRequestSignature } from './verify.js';
import {
  impliedAlgorithm,
  materialOf,
  readVerifyingKey,
  verifyingKeyFits,
} from './verifying-key.js';

const base = new TextEncoder().encode('"@method": POST');
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
// Node signs (it reads every PEM form); the Web Crypto key must verify.
const rsa = createPublicKey(rfcKeys.rsaPublicPem);
const pem = (key: KeyObject, type: 'spki' | 'pkcs8' | 'sec1' | 'pkcs1') =>
  key.export({ format: 'pem', type } as never).toString();

/** Every way a caller may hand over a key to verify with, and the algorithm it implies. */
const inputs: [string, KeyInput, KeyObject, SignatureAlgorithm][] = [
  ['P-521 SPKI PEM', pem(p521.publicKey, 'spki'), p521.privateKey, 'ecdsa-p521-sha512'],
  ['P-521 PKCS#8 PEM', pem(p521.privateKey, 'pkcs8'), p521.privateKey, 'ecdsa-p521-sha512'],
  ['P-521 SEC1 PEM', pem(p521.privateKey, 'sec1'), p521.privateKey, 'ecdsa-p521-sha512'],
  [
    'P-521 public JWK',
    p521.publicKey.export({ format: 'jwk' }),
    p521.privateKey,
    'ecdsa-p521-sha512',
  ],
  [
    'P-521 private JWK',
    p521.privateKey.export({ format: 'jwk' }),
    p521.privateKey,
    'ecdsa-p521-sha512',
  ],
  ['P-521 public KeyObject', p521.publicKey, p521.privateKey, 'ecdsa-p521-sha512'],
  ['P-521 private KeyObject', p521.privateKey, p521.privateKey, 'ecdsa-p521-sha512'],
  ['P-256 SPKI PEM', pem(p256.publicKey, 'spki'), p256.privateKey, 'ecdsa-p256-sha256'],
  ['P-256 SEC1 PEM', pem(p256.privateKey, 'sec1'), p256.privateKey, 'ecdsa-p256-sha256'],
  ['Ed25519 SPKI PEM', pem(ed.publicKey, 'spki'), ed.privateKey, 'ed25519'],
  ['Ed25519 private JWK', ed.privateKey.export({ format: 'jwk' }), ed.privateKey, 'ed25519'],
  [
    'RSA PKCS#1 public PEM',
    rfcKeys.rsaPublicPem,
    createPrivateKey(rfcKeys.rsaPrivatePem),
    'rsa-v1_5-sha256',
  ],
  [
    'RSA PKCS#1 private PEM',
    rfcKeys.rsaPrivatePem,
    createPrivateKey(rfcKeys.rsaPrivatePem),
    'rsa-v1_5-sha256',
  ],
  [
    'RSA public JWK',
    rsa.export({ format: 'jwk' }),
    createPrivateKey(rfcKeys.rsaPrivatePem),
    'rsa-v1_5-sha256',
  ],
  [
    'RSA-PSS PKCS#8 PEM',
    rfcKeys.rsaPssPrivatePem,
    createPrivateKey(rfcKeys.rsaPssPrivatePem),
    'rsa-pss-sha512',
  ],
];

describe('readVerifyingKey', () => {
  it.each(inputs)(
    'should read a %s and verify what its private key signed',
    async (_name, input, signer, algorithm) => {
      const key = await readVerifyingKey(input);
      expect(impliedAlgorithm(key)).toBe(algorithm);
      expect(verifyingKeyFits(algorithm, key)).toBe(true);
      const signature = await signBase(algorithm, signer, base);
      expect((await verifySignatureBase(algorithm, key, base, signature)).ok).toBe(true);
      const other = new TextEncoder().encode('"@method": GET');
      expect((await verifySignatureBase(algorithm, key, other, signature)).ok).toBe(false);
    },
  );

  it('should verify RSA-PSS with the plain RSA public key of the RFC 9421 example', async () => {
    const key = await readVerifyingKey(rfcKeys.rsaPssPublicPem);
    const signature = await signBase(
      'rsa-pss-sha512',
      createPrivateKey(rfcKeys.rsaPssPrivatePem),
      base,
    );
    expect(verifyingKeyFits('rsa-pss-sha512', key)).toBe(true);
    expect((await verifySignatureBase('rsa-pss-sha512', key, base, signature)).ok).toBe(true);
  });

  it('should read secrets as bytes, oct JWKs and secret KeyObjects', async () => {
    const bytes = new TextEncoder().encode('a shared secret');
    const signature = await signBase('hmac-sha256', createSecretKey(bytes), base);
    const jwk = { kty: 'oct', k: Buffer.from(bytes).toString('base64url') };
    for (const input of [bytes, jwk, createSecretKey(bytes)]) {
      const key = await readVerifyingKey(input);
      expect(impliedAlgorithm(key)).toBe('hmac-sha256');
      expect((await verifySignatureBase('hmac-sha256', key, base, signature)).ok).toBe(true);
    }
  });

  it.each<[string, KeyInput]>([
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
    [
      'a P-384 JWK',
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }),
    ],
    ['an X25519 key', generateKeyPairSync('x25519').publicKey],
    ['an X25519 SPKI PEM', pem(generateKeyPairSync('x25519').publicKey, 'spki')],
  ])('should read %s as a key no algorithm uses, not as unreadable', async (_name, input) => {
    const key = await readVerifyingKey(input);
    expect(impliedAlgorithm(key)).toBeUndefined();
    expect(verifyingKeyFits('ecdsa-p521-sha512', key)).toBe(false);
  });

  it.each<[string, KeyInput]>([
    ['text that is no PEM', 'not a key'],
    [
      'PEM with a label we do not read',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ],
    [
      'PEM whose label ends differently',
      pem(p521.publicKey, 'spki').replace('END PUBLIC', 'END PRIVATE'),
    ],
    ['an empty secret', new Uint8Array()],
    ['an oct JWK without k', { kty: 'oct' }],
    ['a JWK of an unknown type', { kty: 'XYZ' }],
    [
      'an EC JWK whose kty says otherwise',
      { ...p521.publicKey.export({ format: 'jwk' }), kty: 'OKP' },
    ],
  ])('should refuse %s with a configuration error', async (_name, input) => {
    await expect(readVerifyingKey(input)).rejects.toThrow(/public key could not be read/);
  });

  it('should read a key object once, and a PEM text once', async () => {
    const jwk = p521.publicKey.export({ format: 'jwk' });
    expect(readVerifyingKey(jwk)).toBe(readVerifyingKey(jwk));
    const text = pem(p521.publicKey, 'spki');
    expect(readVerifyingKey(text)).toBe(readVerifyingKey(`${text}`));
    const key = await readVerifyingKey(jwk);
    expect(key.cryptoKey('ecdsa-p521-sha512')).toBe(key.cryptoKey('ecdsa-p521-sha512'));
  });
});

describe('readVerifyingKey, at its edges', () => {
  it('should keep the last 32 PEM texts read, and read an older one again', () => {
    const texts = Array.from({ length: 33 }, () =>
      pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'spki'),
    );
    const first = readVerifyingKey(texts[0]!);
    for (const text of texts.slice(1, 32)) void readVerifyingKey(text);
    expect(readVerifyingKey(texts[0]!)).toBe(first); // 32 kept: the first still among them
    void readVerifyingKey(texts[32]!); // the 33rd pushes the oldest out
    expect(readVerifyingKey(texts[0]!)).not.toBe(first);
    expect(readVerifyingKey(texts[32]!)).toBe(readVerifyingKey(texts[32]!));
  });

  it.each<[string, Record<string, unknown>]>([
    ['an RSA private JWK', rsa.export({ format: 'jwk' })],
    [
      'an RSA private JWK with key_ops, ext, use and alg',
      {
        ...createPrivateKey(rfcKeys.rsaPrivatePem).export({ format: 'jwk' }),
        key_ops: ['sign'],
        ext: true,
        use: 'sig',
        alg: 'RS256',
      },
    ],
    [
      'a P-521 private JWK with key_ops and kid',
      { ...p521.privateKey.export({ format: 'jwk' }), key_ops: ['sign'], kid: 'k1' },
    ],
  ])('should verify with the public half of %s', async (_name, jwk) => {
    const isRsa = jwk['kty'] === 'RSA';
    const algorithm = isRsa ? 'rsa-v1_5-sha256' : 'ecdsa-p521-sha512';
    const signer = isRsa ? createPrivateKey(rfcKeys.rsaPrivatePem) : p521.privateKey;
    const key = await readVerifyingKey(jwk);
    const signature = await signBase(algorithm, signer, base, 'ieee-p1363');
    expect((await verifySignatureBase(algorithm, key, base, signature)).ok).toBe(true);
  });

  it('should read Node key objects of every kind it verifies with, and no other', async () => {
    for (const [key, family] of [
      [p521.publicKey, 'ecdsa-p521-sha512'],
      [ed.publicKey, 'ed25519'],
      [rsa, 'rsa-v1_5-sha256'],
      [createPrivateKey(rfcKeys.rsaPssPrivatePem), 'rsa-pss-sha512'],
    ] as const) {
      expect(impliedAlgorithm(await readVerifyingKey(key))).toBe(family);
    }
    const dh = generateKeyPairSync('x448').publicKey;
    expect(impliedAlgorithm(await readVerifyingKey(dh))).toBeUndefined();
  });

  it('should tell the primitives what a key was read from, and refuse a key it did not read', async () => {
    const key = await readVerifyingKey(pem(p256.publicKey, 'spki'));
    expect(materialOf(key)).toMatchObject({ family: 'P-256', format: 'spki' });
    expect(() =>
      materialOf({ family: 'P-256', cryptoKey: () => Promise.reject(new Error()) }),
    ).toThrow(TypeError);
  });
});

describe('verifyRequestSignature with a key no algorithm uses', () => {
  it('should refuse it as unsupported and say so, without naming the key', async () => {
    const request = { method: 'POST', url: 'https://a.example/', headers: {}, body: '' };
    const signed = await signRequest(request, {
      keyId: 'k1',
      privateKey: p521.privateKey,
      components: ['@method'],
    });
    const verdict = await verifyRequestSignature(
      { ...request, headers: signed.headers },
      { keys: generateKeyPairSync('x25519').publicKey },
    );
    expect(verdict).toEqual({
      ok: false,
      reason: 'unsupported_algorithm',
      message: 'the key for keyid "k1" is of a kind no supported algorithm uses',
    });
  });
});

const p521Signature = await signBase('ecdsa-p521-sha512', p521.privateKey, base, 'ieee-p1363');

describe('readVerifyingKey, the shapes around a key', () => {
  const spki = pem(p521.publicKey, 'spki');
  const signature = p521Signature;
  const verifies = async (input: KeyInput) =>
    (await verifySignatureBase('ecdsa-p521-sha512', await readVerifyingKey(input), base, signature))
      .ok;

  it('should read PEM with CRLF line ends and white space around it', async () => {
    expect(await verifies(`\n  ${spki.replaceAll('\n', '\r\n')}  \n`)).toBe(true);
  });

  it('should refuse PEM with other text before or after it', async () => {
    await expect(readVerifyingKey(`key: ${spki}`)).rejects.toThrow(/could not be read/);
    await expect(readVerifyingKey(`${spki}and more`)).rejects.toThrow(/could not be read/);
  });

  it('should read a JWK that happens to carry a type member as a JWK', async () => {
    expect(await verifies({ ...p521.publicKey.export({ format: 'jwk' }), type: 'public' })).toBe(
      true,
    );
  });

  it.each<[string, KeyInput]>([
    ['an X25519 private key in PKCS#8', pem(generateKeyPairSync('x25519').privateKey, 'pkcs8')],
    [
      'a P-384 private key in SEC1',
      pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'sec1'),
    ],
  ])('should read %s as a key no algorithm uses', async (_name, input) => {
    expect(impliedAlgorithm(await readVerifyingKey(input))).toBeUndefined();
  });

  it('should verify RSA-PSS with an RSA JWK whose alg says RS256', async () => {
    const signer = createPrivateKey(rfcKeys.rsaPrivatePem);
    const pss = await signBase('rsa-pss-sha512', signer, base);
    const key = await readVerifyingKey({
      ...rsa.export({ format: 'jwk' }),
      alg: 'RS256',
      use: 'sig',
    });
    expect((await verifySignatureBase('rsa-pss-sha512', key, base, pss)).ok).toBe(true);
    expect((await verifySignatureBase('rsa-v1_5-sha256', key, base, pss)).ok).toBe(false);
  });

  it('should verify with an RSA-PSS key whose SPKI names RSASSA-PSS', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const key = await readVerifyingKey(pem(publicKey, 'spki'));
    expect(impliedAlgorithm(key)).toBe('rsa-pss-sha512');
    const signature = await signBase('rsa-pss-sha512', privateKey, base);
    expect((await verifySignatureBase('rsa-pss-sha512', key, base, signature)).ok).toBe(true);
  });
});
