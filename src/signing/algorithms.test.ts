import { createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_ALGORITHMS,
  isSignatureAlgorithm,
  type EcdsaEncoding,
  type SignatureAlgorithm,
} from './algorithm-names.js';
import { signBase } from './algorithms.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import {
  algorithmForKey,
  assertKeyFits,
  keyFits,
  toSigningKey,
  type KeyInput,
  type NodeKeyObjectLike,
} from './keys.js';
import { verifySignatureBase } from './verify-base.js';
import { impliedAlgorithm, readVerifyingKey, verifyingKeyFits } from './verifying-key.js';
import { UpvestConfigurationError } from '../errors.js';

const secret = Buffer.from(rfcKeys.sharedSecretBase64, 'base64');
const pairs: Record<SignatureAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  'ecdsa-p521-sha512': generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  'ecdsa-p256-sha256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ed25519: generateKeyPairSync('ed25519'),
  'hmac-sha256': { privateKey: createSecretKey(secret), publicKey: createSecretKey(secret) },
  'rsa-pss-sha512': generateKeyPairSync('rsa-pss', { modulusLength: 2048 }),
  'rsa-v1_5-sha256': generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

/** Verifies with Web Crypto (verify-base.ts) a signature made with Node (signBase). */
async function verifyBase(
  algorithm: SignatureAlgorithm,
  key: KeyInput,
  signed: Uint8Array,
  signature: Uint8Array,
  encoding?: EcdsaEncoding | 'either',
) {
  return verifySignatureBase(algorithm, await readVerifyingKey(key), signed, signature, encoding);
}
const base = new TextEncoder().encode('"@method": POST\n"@signature-params": ("@method")');
const otherBase = new TextEncoder().encode('"@method": PUT\n"@signature-params": ("@method")');

const cases: [string, SignatureAlgorithm, EcdsaEncoding][] = SIGNATURE_ALGORITHMS.flatMap(
  (algorithm): [string, SignatureAlgorithm, EcdsaEncoding][] =>
    algorithm.startsWith('ecdsa-')
      ? [
          [`${algorithm} (DER)`, algorithm, 'der'],
          [`${algorithm} (raw r||s)`, algorithm, 'ieee-p1363'],
        ]
      : [[algorithm, algorithm, 'der']],
);

describe('signBase and verifyBase', () => {
  it.each(cases)('should round-trip %s', async (_name, algorithm, encoding) => {
    const { privateKey, publicKey } = pairs[algorithm];
    const signature = await signBase(algorithm, privateKey, base, encoding);
    expect((await verifyBase(algorithm, publicKey, base, signature, encoding)).ok).toBe(true);
    expect((await verifyBase(algorithm, publicKey, base, signature, 'either')).ok).toBe(true);
    expect((await verifyBase(algorithm, publicKey, otherBase, signature, 'either')).ok).toBe(false);
  });

  it.each([
    ['ecdsa-p521-sha512', 132],
    ['ecdsa-p256-sha256', 64],
  ] as const)(
    'should write %s raw r||s at its fixed length and DER as ASN.1',
    async (algorithm, size) => {
      const raw = await signBase(algorithm, pairs[algorithm].privateKey, base, 'ieee-p1363');
      const der = await signBase(algorithm, pairs[algorithm].privateKey, base, 'der');
      expect(raw.length).toBe(size);
      expect(der[0]).toBe(0x30); // an ASN.1 SEQUENCE
    },
  );

  it.each([
    ['der', 'ieee-p1363'],
    ['ieee-p1363', 'der'],
  ] as const)(
    'should say which encoding matched, and refuse %s when only %s is accepted',
    async (signed, accepted) => {
      const { privateKey, publicKey } = pairs['ecdsa-p521-sha512'];
      const signature = await signBase('ecdsa-p521-sha512', privateKey, base, signed);
      expect(await verifyBase('ecdsa-p521-sha512', publicKey, base, signature, 'either')).toEqual({
        ok: true,
        encoding: signed,
      });
      const refused = await verifyBase('ecdsa-p521-sha512', publicKey, base, signature, accepted);
      expect(refused.ok).toBe(false);
    },
  );

  it.each(SIGNATURE_ALGORITHMS)(
    'should answer false, not throw, for junk as a %s signature',
    async (algorithm) => {
      for (const junk of [new Uint8Array(), new Uint8Array(7), new Uint8Array(600).fill(0x30)]) {
        expect((await verifyBase(algorithm, pairs[algorithm].publicKey, base, junk)).ok).toBe(
          false,
        );
      }
    },
  );

  it('should know its algorithm names', () => {
    expect(isSignatureAlgorithm('ecdsa-p521-sha512')).toBe(true);
    expect(isSignatureAlgorithm('ecdsa-p384-sha384')).toBe(false);
    expect(isSignatureAlgorithm('hs2019')).toBe(false);
  });
});

describe('keys', () => {
  const p521 = pairs['ecdsa-p521-sha512'];
  const p521Pem = p521.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  it.each<[string, KeyInput]>([
    ['PEM (PKCS#8)', p521Pem],
    ['PEM (SEC1)', p521.privateKey.export({ format: 'pem', type: 'sec1' }).toString()],
    ['a JWK', p521.privateKey.export({ format: 'jwk' })],
    ['a KeyObject', p521.privateKey],
  ])('should read a P-521 private key given as %s', async (_name, input) => {
    const key = toSigningKey(input);
    expect(key.type).toBe('private');
    expect(algorithmForKey(key)).toBe('ecdsa-p521-sha512');
    const verifying = await readVerifyingKey(input);
    expect(impliedAlgorithm(verifying)).toBe('ecdsa-p521-sha512');
    const signature = await signBase('ecdsa-p521-sha512', key, base);
    expect((await verifySignatureBase('ecdsa-p521-sha512', verifying, base, signature)).ok).toBe(
      true,
    );
  });

  it('should read HMAC secrets as bytes, as an oct JWK or as a KeyObject', async () => {
    const jwk = { kty: 'oct', k: secret.toString('base64url') };
    const signature = await signBase('hmac-sha256', createSecretKey(secret), base);
    for (const input of [secret, new Uint8Array(secret), jwk, createSecretKey(secret)]) {
      expect(toSigningKey(input).type).toBe('secret');
      expect((await verifyBase('hmac-sha256', input, base, signature)).ok).toBe(true);
      expect((await verifyBase('hmac-sha256', input, otherBase, signature)).ok).toBe(false);
    }
  });

  it.each<[string, NodeKeyObjectLike, SignatureAlgorithm]>([
    ['a P-521 key', p521.publicKey, 'ecdsa-p521-sha512'],
    ['a P-256 key', pairs['ecdsa-p256-sha256'].publicKey, 'ecdsa-p256-sha256'],
    ['an Ed25519 key', pairs.ed25519.publicKey, 'ed25519'],
    ['a secret', createSecretKey(secret), 'hmac-sha256'],
    ['an RSA-PSS key', toSigningKey(rfcKeys.rsaPssPrivatePem), 'rsa-pss-sha512'],
    ['an RSA key', createPublicKey(rfcKeys.rsaPublicPem), 'rsa-v1_5-sha256'],
  ])('should infer the algorithm of %s, to sign and to verify', async (_name, key, algorithm) => {
    expect(algorithmForKey(key)).toBe(algorithm);
    expect(keyFits(algorithm, key)).toBe(true);
    const verifying = await readVerifyingKey(key);
    expect(impliedAlgorithm(verifying)).toBe(algorithm);
    expect(verifyingKeyFits(algorithm, verifying)).toBe(true);
  });

  it.each([
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, /secp384r1/],
    ['an X25519 key', generateKeyPairSync('x25519').publicKey, /x25519 keys are not supported/],
  ])('should refuse to infer an algorithm for %s', (_name, key, message) => {
    expect(() => algorithmForKey(key)).toThrow(message);
  });

  it.each<[SignatureAlgorithm, NodeKeyObjectLike]>([
    ['ecdsa-p256-sha256', p521.publicKey],
    ['ecdsa-p521-sha512', pairs['ecdsa-p256-sha256'].publicKey],
    ['hmac-sha256', p521.publicKey],
    ['ed25519', createSecretKey(secret)],
    ['rsa-v1_5-sha256', toSigningKey(rfcKeys.rsaPssPrivatePem)],
    ['rsa-pss-sha512', pairs.ed25519.publicKey],
  ])('should not let %s be used with a key that does not suit it', async (algorithm, key) => {
    expect(keyFits(algorithm, key)).toBe(false);
    expect(() => assertKeyFits(algorithm, key)).toThrow(UpvestConfigurationError);
    expect(verifyingKeyFits(algorithm, await readVerifyingKey(key))).toBe(false);
  });

  it('should refuse a public key for signing and an empty HMAC secret', async () => {
    expect(() => toSigningKey(p521.publicKey)).toThrow(/public key cannot sign/);
    expect(() => toSigningKey(new Uint8Array())).toThrow(UpvestConfigurationError);
    await expect(readVerifyingKey({ kty: 'oct' })).rejects.toThrow(UpvestConfigurationError);
  });

  it('should never put key material into an error about a key', async () => {
    const body = p521Pem.split('\n')[1] ?? '';
    const jwk = p521.privateKey.export({ format: 'jwk' });
    const attempts: (() => unknown)[] = [
      () => toSigningKey(p521Pem.replace('MI', 'XX')),
      () => toSigningKey({ ...jwk, crv: 'P-999' }),
      () => readVerifyingKey(p521Pem.replace('MI', 'XX')),
      () => assertKeyFits('ed25519', p521.privateKey),
      () => toSigningKey(createPublicKey(p521.privateKey)),
    ];
    for (const attempt of attempts) {
      let thrown: unknown;
      try {
        await attempt();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UpvestConfigurationError);
      const text = `${String(thrown)} ${JSON.stringify(thrown)} ${inspect(thrown, { depth: 5 })}`;
      expect(text).not.toContain(body);
      expect(text).not.toContain(String(jwk.d));
    }
  });
});

describe('signBase and verifyBase defaults', () => {
  const { privateKey, publicKey } = pairs['ecdsa-p521-sha512'];

  it('should sign ECDSA in DER unless told otherwise, as Upvest signers do', async () => {
    const signature = await signBase('ecdsa-p521-sha512', privateKey, base);
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE
    expect(await verifyBase('ecdsa-p521-sha512', publicKey, base, signature, 'der')).toEqual({
      ok: true,
      encoding: 'der',
    });
  });

  it('should verify either encoding unless told otherwise, and say which matched', async () => {
    const raw = await signBase('ecdsa-p521-sha512', privateKey, base, 'ieee-p1363');
    expect(raw).toHaveLength(132);
    expect(await verifyBase('ecdsa-p521-sha512', publicKey, base, raw)).toEqual({
      ok: true,
      encoding: 'ieee-p1363',
    });
  });

  it('should verify RSA PKCS#1 v1.5 and refuse the same signature as PSS', async () => {
    const rsa = pairs['rsa-v1_5-sha256'];
    const signature = await signBase('rsa-v1_5-sha256', rsa.privateKey, base);
    expect((await verifyBase('rsa-v1_5-sha256', rsa.publicKey, base, signature)).ok).toBe(true);
    expect((await verifyBase('rsa-pss-sha512', rsa.publicKey, base, signature)).ok).toBe(false);
  });
});

describe('keys that sign, at their edges', () => {
  const rsa = toSigningKey(rfcKeys.rsaPrivatePem);

  it('should let a plain RSA key sign RSA-PSS, and sign it as PSS, not PKCS#1 v1.5', async () => {
    expect(keyFits('rsa-pss-sha512', rsa)).toBe(true);
    const signature = await signBase('rsa-pss-sha512', rsa, base);
    const verifying = createPublicKey(rfcKeys.rsaPublicPem);
    expect((await verifyBase('rsa-pss-sha512', verifying, base, signature)).ok).toBe(true);
    expect((await verifyBase('rsa-v1_5-sha256', verifying, base, signature)).ok).toBe(false);
  });

  it('should name the algorithm and the kind of key when they do not fit, never the key', () => {
    expect(() => assertKeyFits('ed25519', pairs['ecdsa-p521-sha512'].privateKey)).toThrow(
      'ed25519 cannot be used with a key of type ec (secp521r1)',
    );
    expect(() => assertKeyFits('ed25519', createSecretKey(secret))).toThrow(
      'ed25519 cannot be used with a secret key',
    );
  });

  it('should read each key once: the same object or PEM text gives the same key', () => {
    const p521 = pairs['ecdsa-p521-sha512'].privateKey;
    const pem = p521.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(toSigningKey(p521)).toBe(toSigningKey(p521));
    expect(toSigningKey(pem)).toBe(toSigningKey(`${pem}`));
    const read = toSigningKey(pem);
    expect(toSigningKey(read)).toBe(read);
  });

  it('should read the key after the curve parameters openssl ecparam -genkey writes first', async () => {
    const { privateKey, publicKey } = pairs['ecdsa-p256-sha256'];
    const parameters =
      '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    const pem = parameters + privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(algorithmForKey(toSigningKey(pem))).toBe('ecdsa-p256-sha256');
    const signature = await signBase('ecdsa-p256-sha256', pem, base);
    expect((await verifyBase('ecdsa-p256-sha256', publicKey, base, signature, 'der')).ok).toBe(
      true,
    );
  });

  it('should refuse a public key in any form as unable to sign', () => {
    const { publicKey } = pairs['ecdsa-p521-sha512'];
    for (const input of [
      publicKey,
      publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      publicKey.export({ format: 'jwk' }),
    ]) {
      expect(() => toSigningKey(input)).toThrow(/public key cannot sign/);
    }
  });

  it('should keep the key material out of how a read key prints', () => {
    const p521 = pairs['ecdsa-p521-sha512'].privateKey;
    const key = toSigningKey(p521);
    const d = String(p521.export({ format: 'jwk' }).d);
    const der = Buffer.from(p521.export({ format: 'der', type: 'pkcs8' })).toString('base64');
    for (const text of [inspect(key, { depth: 5 }), JSON.stringify(key)]) {
      expect(text).not.toContain(d);
      expect(text).not.toContain(der.slice(40, 80));
    }
  });

  it('should name the curve of a P-384 key read from PEM when refusing it', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const key = toSigningKey(p384.export({ format: 'pem', type: 'pkcs8' }).toString());
    expect(() => algorithmForKey(key)).toThrow(/curve secp384r1 are not supported/);
  });

  it('should refuse an oct JWK without k, and an empty secret, as unreadable', () => {
    expect(() => toSigningKey({ kty: 'oct' })).toThrow(/private key could not be read/);
    expect(() => toSigningKey({ kty: 'oct', k: '' })).toThrow(/private key could not be read/);
  });
});
