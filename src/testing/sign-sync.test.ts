import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import { contentDigest, legacyDigest } from '../signing/digest.js';
import { rfcKeys } from '../signing/fixtures/rfc9421.js';
import { signRequest, type SignRequestOptions } from '../signing/sign.js';
import { verifyRequestSignature } from '../signing/verify.js';
import { contentDigestSync, legacyDigestSync, signRequestSync } from './sign-sync.js';

const request = {
  method: 'POST',
  url: 'https://tenant.tld/hooks?x=1',
  headers: { 'content-type': 'application/json' },
  body: '{"payload":[]}',
};
const options: SignRequestOptions = {
  keyId: 'k1',
  privateKey: rfcKeys.ed25519PrivatePem,
  created: 1618884473,
  nonce: 'n',
};

describe('signRequestSync', () => {
  it('should sign byte for byte as signRequest does, digest included (Ed25519 is deterministic)', async () => {
    for (const change of [{}, { baseFormat: 'upvest-v6' as const }, { components: ['@method'] }]) {
      expect(signRequestSync(request, { ...options, ...change })).toEqual(
        await signRequest(request, { ...options, ...change }),
      );
    }
  });

  it('should sign ECDSA in DER by default, which the verifier accepts as DER', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const signed = signRequestSync(request, { ...options, privateKey });
    const verdict = await verifyRequestSignature(
      { ...request, headers: { ...request.headers, ...signed.headers } },
      { keys: publicKey, now: () => 1618884473 },
    );
    expect(verdict).toMatchObject({ ok: true, ecdsaEncoding: 'der' });
  });

  it('should throw the configuration error signRequest rejects with', async () => {
    const change = { privateKey: 'not a key' };
    const refusal = await signRequest(request, { ...options, ...change }).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(UpvestConfigurationError);
    expect(() => signRequestSync(request, { ...options, ...change })).toThrow(refusal);
  });
});

describe('the synchronous digests', () => {
  it.each(['', '{"hello": "world"}', new Uint8Array([0xff, 0, 0xfe])])(
    'should give the fields of the asynchronous helpers for %j',
    async (body) => {
      expect(contentDigestSync(body)).toBe(await contentDigest(body));
      expect(contentDigestSync(body, 'sha-256')).toBe(await contentDigest(body, 'sha-256'));
      expect(legacyDigestSync(body)).toBe(await legacyDigest(body));
    },
  );
});
