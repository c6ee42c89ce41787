import fc from 'fast-check';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from './algorithm-names.js';
import { signBase } from './algorithms.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import type { KeyInput } from './keys.js';
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

/** The public half as SPKI PEM, the way a receiver is given a key. */
function publicPem(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

const base = new TextEncoder().encode('"@method": POST\n"@signature-params": ("@method")');
const other = new TextEncoder().encode('"@method": PUT\n"@signature-params": ("@method")');

describe.each(implementations)('the primitives on %s', (_name, primitives) => {
  it.each(SIGNATURE_ALGORITHMS)(
    'should verify %s with the key in every form, and refuse another base or junk',
    async (algorithm) => {
      const { signer, verifiers } = keys[algorithm];
      const signature = signBase(algorithm, signer, base, 'ieee-p1363');
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
    const signature = signBase('ed25519', ed, base);
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
