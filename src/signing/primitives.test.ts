import fc from 'fast-check';
import {
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithm-names.js';
import { signBase } from './algorithms.js';
import { derSequence } from './der.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import { CURVE_OIDS, EC_PUBLIC_KEY, pkcs8 } from './key-material.js';
import { toSigningKey, type KeyInput } from './keys.js';
import * as node from './primitives.node.js';
import * as web from './primitives.js';
import { readVerifyingKey } from './verifying-key.js';

/** Both implementations: Web Crypto (every runtime) and node:crypto (the package's Node build). */
const implementations = [
  ['Web Crypto', web],
  ['node:crypto', node],
] as const;

const secret = new TextEncoder().encode('a shared secret of some length');
const rsa = createPrivateKey(rfcKeys.rsaPrivatePem);
const rsaPss = createPrivateKey(rfcKeys.rsaPssPrivatePem);
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;

/** Per algorithm: the signing key, and the verifying key in each form a caller may give. */
const keys: Record<SignatureAlgorithm, { signer: KeyObject; verifiers: KeyInput[] }> = {
  'ecdsa-p521-sha512': {
    signer: p521,
    verifiers: [p521.export({ format: 'jwk' }), publicPem(p521)],
  },
  'ecdsa-p256-sha256': {
    signer: p256,
    verifiers: [p256.export({ format: 'jwk' }), publicPem(p256)],
  },
  ed25519: { signer: ed, verifiers: [ed.export({ format: 'jwk' }), publicPem(ed)] },
  'hmac-sha256': { signer: createSecretKey(secret), verifiers: [secret] },
  'rsa-pss-sha512': {
    signer: rsaPss,
    verifiers: [rfcKeys.rsaPssPublicPem, rfcKeys.rsaPssPrivatePem],
  },
  'rsa-v1_5-sha256': {
    signer: rsa,
    verifiers: [rfcKeys.rsaPublicPem, rsa.export({ format: 'jwk' })],
  },
};

/** Node's hash of each algorithm (none: the key decides). */
const NODE_HASHES: Record<SignatureAlgorithm, string | null> = {
  'ecdsa-p521-sha512': 'sha512',
  'ecdsa-p256-sha256': 'sha256',
  ed25519: null,
  'hmac-sha256': 'sha256',
  'rsa-pss-sha512': 'sha512',
  'rsa-v1_5-sha256': 'sha256',
};

/** Node's own check of a signature (ECDSA as raw r‖s), independent of both implementations. */
function nodeVerifies(
  algorithm: SignatureAlgorithm,
  signer: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (algorithm === 'hmac-sha256') {
    const expected = createHmac('sha256', signer).update(data).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  const key = createPublicKey(signer);
  const options = algorithm.startsWith('ecdsa-')
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : algorithm === 'rsa-pss-sha512'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }
      : key;
  return verify(NODE_HASHES[algorithm], data, options, signature);
}

/** Per algorithm, the private key in each form a signer may give it. */
const signingForms: Record<SignatureAlgorithm, KeyInput[]> = {
  'ecdsa-p521-sha512': [
    p521,
    p521.export({ format: 'jwk' }),
    p521.export({ format: 'pem', type: 'pkcs8' }).toString(),
    p521.export({ format: 'pem', type: 'sec1' }).toString(),
  ],
  'ecdsa-p256-sha256': [
    p256,
    p256.export({ format: 'jwk' }),
    p256.export({ format: 'pem', type: 'sec1' }).toString(),
  ],
  ed25519: [
    ed,
    ed.export({ format: 'jwk' }),
    ed.export({ format: 'pem', type: 'pkcs8' }).toString(),
  ],
  'hmac-sha256': [
    secret,
    createSecretKey(secret),
    { kty: 'oct', k: Buffer.from(secret).toString('base64url') },
  ],
  'rsa-pss-sha512': [
    rsaPss,
    rfcKeys.rsaPssPrivatePem,
    rsaPss.export({ format: 'pem', type: 'pkcs8' }).toString(),
  ],
  'rsa-v1_5-sha256': [
    rsa,
    rfcKeys.rsaPrivatePem,
    rsa.export({ format: 'pem', type: 'pkcs1' }).toString(),
    rsa.export({ format: 'jwk' }),
  ],
};

/** The public half as SPKI PEM, the way a receiver is given a key. */
function publicPem(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

const base = new TextEncoder().encode('"@method": POST\n"@signature-params": ("@method")');
const other = new TextEncoder().encode('"@method": PUT\n"@signature-params": ("@method")');

describe.each(implementations)('the primitives on %s', (_name, primitives) => {
  it.each(SIGNATURE_ALGORITHMS)(
    'should sign %s with the key in every form, as Node checks it (ECDSA as raw r‖s)',
    async (algorithm) => {
      for (const input of signingForms[algorithm]) {
        const signature = await primitives.signPrimitive(algorithm, toSigningKey(input), base);
        expect(nodeVerifies(algorithm, keys[algorithm].signer, base, signature)).toBe(true);
        expect(nodeVerifies(algorithm, keys[algorithm].signer, other, signature)).toBe(false);
      }
    },
  );

  it('should sign what the other implementation verifies, for every algorithm', async () => {
    const [, otherPrimitives] = implementations.find(([, each]) => each !== primitives)!;
    for (const algorithm of SIGNATURE_ALGORITHMS) {
      const signature = await primitives.signPrimitive(
        algorithm,
        toSigningKey(keys[algorithm].signer),
        base,
      );
      const key = await readVerifyingKey(keys[algorithm].verifiers[0]!);
      expect(await otherPrimitives.verifyPrimitive(algorithm, key, base, signature)).toBe(true);
    }
  });

  it('should refuse a key whose DER is framed well but is no key, naming no key material', async () => {
    // A P-256 PKCS#8 whose key is one byte, not a SEC1 key: it reads, it does not import.
    const broken = pkcs8(
      derSequence(EC_PUBLIC_KEY, CURVE_OIDS['P-256']),
      Uint8Array.from([0x04, 0x01, 0x07]),
    );
    const key = toSigningKey(pemOf(broken));
    let thrown: unknown;
    try {
      await primitives.signPrimitive('ecdsa-p256-sha256', key, base);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpvestConfigurationError);
    expect(String(thrown)).toMatch(/private key could not be read/);
  });

  it.each(SIGNATURE_ALGORITHMS)(
    'should verify %s with the key in every form, and refuse another base or junk',
    async (algorithm) => {
      const { signer, verifiers } = keys[algorithm];
      const signature = await signBase(algorithm, signer, base, 'ieee-p1363');
      for (const input of verifiers) {
        const key = await readVerifyingKey(input);
        expect(await primitives.verifyPrimitive(algorithm, key, base, signature)).toBe(true);
        expect(await primitives.verifyPrimitive(algorithm, key, other, signature)).toBe(false);
        for (const junk of [
          new Uint8Array(),
          // One byte short at the end: dropping the first could leave an RSA signature whose first
          // byte was 0 the same number, and valid (one run in 256).
          signature.subarray(0, -1),
          new Uint8Array(signature.length),
        ]) {
          expect(await primitives.verifyPrimitive(algorithm, key, base, junk)).toBe(false);
        }
      }
    },
  );

  it('should refuse, not throw, a key of another kind than the algorithm', async () => {
    const key = await readVerifyingKey(keys.ed25519.verifiers[0]!);
    const signature = await signBase('ed25519', ed, base);
    expect(await primitives.verifyPrimitive('ecdsa-p521-sha512', key, base, signature)).toBe(false);
  });

  it('should hash any bytes as Node does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom('sha-256', 'sha-512'),
        async (bytes, algorithm) => {
          const expected = createHash(algorithm.replace('-', '')).update(bytes).digest();
          expect(Buffer.from(await primitives.digestBytes(algorithm, bytes))).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** PKCS#8 DER as PEM text, the way a key file holds it. */
function pemOf(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}
