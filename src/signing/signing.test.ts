import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSignatureBase } from './base.js';
import { contentDigest, legacyDigest, verifyContentDigest, verifyLegacyDigest } from './digest.js';
import {
  rfcKeys,
  rfcRequest,
  rfcResponse,
  rfcVectors,
  type RfcVector,
} from './fixtures/rfc9421.js';
import type { KeyInput, SignatureAlgorithm } from './keys.js';
import type { HttpMessage } from './message.js';
import { signRequest } from './sign.js';
import {
  createUpvestSigner,
  upvestSignatureHeaders,
  verifyUpvestRequest,
} from './upvest-profile.js';
import { verifyRequestSignature } from './verify.js';

const CREATED = 1618884473;
const secret = Buffer.from(rfcKeys.sharedSecretBase64, 'base64');

function publicKeyFor(vector: RfcVector): KeyInput {
  switch (vector.alg) {
    case 'rsa-pss-sha512':
      return rfcKeys.rsaPssPublicPem;
    case 'ecdsa-p256-sha256':
      return rfcKeys.p256PublicPem;
    case 'ed25519':
      return rfcKeys.ed25519PublicPem;
    case 'hmac-sha256':
      return secret;
  }
}

function messageOf(vector: RfcVector): HttpMessage {
  const message: HttpMessage = vector.message === 'request' ? rfcRequest : rfcResponse;
  return {
    ...message,
    headers: {
      ...message.headers,
      'signature-input': vector.signatureInput,
      signature: vector.signature,
    },
  };
}

function componentsOf(vector: RfcVector): string[] {
  const inner = vector.signatureInput.slice(
    vector.signatureInput.indexOf('=(') + 2,
    vector.signatureInput.indexOf(')'),
  );
  return inner === '' ? [] : inner.split(' ').map((part) => JSON.parse(part) as string);
}

describe('RFC 9421 Appendix B', () => {
  it.each(rfcVectors.map((v) => [v.id, v] as const))(
    'should rebuild the signature base of %s byte for byte',
    (_id, vector) => {
      const params = vector.signatureInput.slice(vector.signatureInput.indexOf('=') + 1);
      const base = buildSignatureBase(messageOf(vector), componentsOf(vector), params);
      expect(base).toBe(vector.signatureBase);
    },
  );

  it.each(rfcVectors.map((v) => [v.id, v] as const))(
    'should verify the published signature of %s',
    async (_id, vector) => {
      const result = await verifyRequestSignature(messageOf(vector), {
        keys: publicKeyFor(vector),
        now: () => CREATED,
        ...(vector.alg === 'rsa-pss-sha512' || vector.alg === 'hmac-sha256'
          ? { algorithm: vector.alg }
          : {}),
      });
      expect(result).toMatchObject({ valid: true, label: vector.signatureInput.split('=')[0] });
    },
  );

  it.each<[string, SignatureAlgorithm, KeyInput]>([
    ['B.2.5', 'hmac-sha256', secret],
    ['B.2.6', 'ed25519', rfcKeys.ed25519PrivatePem],
  ])('should reproduce the deterministic signature of %s', (id, algorithm, key) => {
    const vector = rfcVectors.find((v) => v.id === id)!;
    const signed = signRequest(rfcRequest, {
      keyId: vector.signatureInput.match(/keyid="([^"]+)"/)?.[1] ?? '',
      privateKey: key,
      algorithm,
      created: CREATED,
      components: componentsOf(vector),
      label: vector.signatureInput.split('=')[0] ?? 'sig1',
    });
    expect(signed.signatureBase).toBe(vector.signatureBase);
    expect(signed.headers['signature']).toBe(vector.signature);
    expect(signed.headers['signature-input']).toBe(vector.signatureInput);
  });

  it('should read keys as PEM, JWK and KeyObject alike', async () => {
    const vector = rfcVectors.find((v) => v.id === 'B.2.6')!;
    const jwk = createPublicKey({ key: rfcKeys.ed25519PrivateJwk, format: 'jwk' }).export({
      format: 'jwk',
    });
    for (const keys of [rfcKeys.ed25519PublicPem, jwk, createPublicKey(rfcKeys.ed25519PublicPem)]) {
      expect(
        (await verifyRequestSignature(messageOf(vector), { keys, now: () => CREATED })).valid,
      ).toBe(true);
    }
  });
});

describe('content digests (RFC 9530 and the facts sheet)', () => {
  it.each([
    [
      '{"hello": "world"}',
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    ],
    [
      '{"key": "value"}',
      'sha-512=:Hd9/AvGZkbjitW1+Ml8Fg1ux1mtcDYe6mLQjDyoowIWa3LM/PmwN2v9O+MjtQGrCA3EQWUL54dlgxKHyYbrucw==:',
    ],
  ])('should compute the SHA-512 content-digest of %s', (body, expected) => {
    expect(contentDigest(body)).toBe(expected);
    expect(verifyContentDigest(body, expected)).toBe('match');
  });

  it('should compute SHA-256 content digests too', () => {
    expect(contentDigest('{"hello": "world"}', 'sha-256')).toBe(
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    );
  });

  it.each([
    ['{"hello": "world"}', 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='],
    ['{"key": "value"}', 'SHA-256=lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U='],
  ])('should compute the legacy digest of %s', (body, expected) => {
    expect(legacyDigest(body)).toBe(expected);
    expect(verifyLegacyDigest(body, expected)).toBe('match');
  });

  it.each([
    ['another body', contentDigest('{}'), 'mismatch'],
    ['{}', 'not a dictionary (', 'malformed'],
    ['{}', 'md5=:AAAA:', 'unsupported'],
  ] as const)('should judge %j against %s as %s', (body, field, verdict) => {
    expect(verifyContentDigest(body, field)).toBe(verdict);
  });
});

describe('signRequest and verifyRequestSignature', () => {
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed25519 = generateKeyPairSync('ed25519');
  const request: HttpMessage = {
    method: 'POST',
    url: 'https://sandbox.upvest.co/webhooks?x=1',
    headers: {
      'content-type': 'application/json',
      'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    },
    body: '{"title":"User webhook"}',
  };
  const sign = (key: KeyInput, extra: Partial<Parameters<typeof signRequest>[1]> = {}) => {
    const signed = signRequest(request, {
      keyId: 'k1',
      privateKey: key,
      created: CREATED,
      ...extra,
    });
    return {
      ...request,
      headers: { ...(request.headers as Record<string, string>), ...signed.headers },
    };
  };

  it.each([
    ['ecdsa-p521-sha512 with DER', p521.privateKey, p521.publicKey, 'der'],
    ['ecdsa-p521-sha512 with raw r||s', p521.privateKey, p521.publicKey, 'ieee-p1363'],
    ['ecdsa-p256-sha256 with DER', p256.privateKey, p256.publicKey, 'der'],
    ['ecdsa-p256-sha256 with raw r||s', p256.privateKey, p256.publicKey, 'ieee-p1363'],
    ['ed25519', ed25519.privateKey, ed25519.publicKey, undefined],
    ['hmac-sha256', secret, secret, undefined],
  ] as const)('should round-trip %s', async (_name, privateKey, publicKey, encoding) => {
    const signed = sign(privateKey, encoding ? { ecdsaEncoding: encoding } : {});
    const result = await verifyRequestSignature(signed, { keys: publicKey, now: () => CREATED });
    expect(result).toMatchObject({ valid: true, keyId: 'k1', digestHeader: 'content-digest' });
    if (encoding) expect(result).toMatchObject({ ecdsaEncoding: encoding });
  });

  it('should refuse a signature in the encoding the verifier does not accept', async () => {
    const signed = sign(p256.privateKey, { ecdsaEncoding: 'ieee-p1363' });
    const result = await verifyRequestSignature(signed, {
      keys: p256.publicKey,
      now: () => CREATED,
      ecdsaEncoding: 'der',
    });
    expect(result).toMatchObject({ valid: false, reason: 'bad_signature' });
  });

  it('should build the unquoted v6 base when asked, and verify it only in that format', async () => {
    const signed = sign(ed25519.privateKey, {
      baseFormat: 'upvest-v6',
      components: ['@method', '@path'],
    });
    const base = signRequest(request, {
      keyId: 'k1',
      privateKey: ed25519.privateKey,
      created: CREATED,
      baseFormat: 'upvest-v6',
      components: ['@method', '@path'],
    }).signatureBase;
    expect(base).toBe(
      `@method: POST\n@path: /webhooks\n@signature-params: ("@method" "@path");created=${CREATED};keyid="k1"`,
    );
    expect(
      await verifyRequestSignature(signed, { keys: ed25519.publicKey, now: () => CREATED }),
    ).toMatchObject({ valid: false });
    expect(
      await verifyRequestSignature(signed, {
        keys: ed25519.publicKey,
        now: () => CREATED,
        baseFormats: ['rfc9421', 'upvest-v6'],
      }),
    ).toMatchObject({ valid: true, baseFormat: 'upvest-v6' });
  });

  const signedOnce = sign(ed25519.privateKey, {
    expires: CREATED + 10,
    components: [
      '@method',
      '@path',
      '@query',
      'content-type',
      'upvest-client-id',
      'content-digest',
    ],
  });
  const verifyWith = (
    message: HttpMessage,
    extra: Partial<Parameters<typeof verifyRequestSignature>[1]> = {},
  ) =>
    verifyRequestSignature(message, {
      keys: (id) => (id === 'k1' ? ed25519.publicKey : undefined),
      now: () => CREATED,
      ...extra,
    });
  const withHeaders = (change: Record<string, string | undefined>): HttpMessage => {
    const headers = { ...(signedOnce.headers as Record<string, string>) };
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    return { ...signedOnce, headers };
  };

  it.each<
    [string, () => HttpMessage, Partial<Parameters<typeof verifyRequestSignature>[1]>, string]
  >([
    [
      'no signature headers',
      () => withHeaders({ signature: undefined, 'signature-input': undefined }),
      {},
      'missing_signature',
    ],
    [
      'a malformed signature-input',
      () => withHeaders({ 'signature-input': 'sig1=(((' }),
      {},
      'malformed_signature_header',
    ],
    ['an unknown key id', () => withHeaders({}), { keys: () => undefined }, 'unknown_key'],
    [
      'a changed body',
      () => ({ ...signedOnce, body: '{"title":"Other webhook"}' }),
      {},
      'digest_mismatch',
    ],
    [
      'a changed covered header',
      () => withHeaders({ 'content-type': 'text/plain' }),
      {},
      'bad_signature',
    ],
    ['a changed method', () => ({ ...signedOnce, method: 'PUT' }), {}, 'bad_signature'],
    [
      'a changed path',
      () => ({ ...signedOnce, url: 'https://sandbox.upvest.co/webhookz?x=1' }),
      {},
      'bad_signature',
    ],
    [
      'another key',
      () => withHeaders({}),
      { keys: generateKeyPairSync('ed25519').publicKey },
      'bad_signature',
    ],
    ['an expired signature', () => withHeaders({}), { now: () => CREATED + 60 }, 'expired'],
    [
      'a signature too old for maxAge',
      () => withHeaders({}),
      { now: () => CREATED + 8, maxAgeSeconds: 1 },
      'expired',
    ],
    [
      'a signature created in the future',
      () => withHeaders({}),
      { now: () => CREATED - 60 },
      'created_in_future',
    ],
    [
      'a missing required component',
      () => withHeaders({}),
      { requiredComponents: ['authorization'] },
      'missing_required_component',
    ],
    [
      'a covered header that is absent',
      () => withHeaders({ 'upvest-client-id': undefined }),
      {},
      'missing_component',
    ],
    [
      'an alg parameter that contradicts the key',
      () =>
        withHeaders({
          'signature-input': String(
            (signedOnce.headers as Record<string, string>)['signature-input'],
          ).replace('keyid="k1"', 'keyid="k1";alg="hmac-sha256"'),
        }),
      {},
      'unsupported_algorithm',
    ],
  ])('should reject %s', async (_name, build, extra, reason) => {
    expect(await verifyWith(build(), extra)).toMatchObject({ valid: false, reason });
  });

  it('should never accept a request whose body or signature bytes were altered', async () => {
    const original = signedOnce;
    const body = Buffer.from(String(original.body));
    const signature = String((original.headers as Record<string, string>)['signature']);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (position, flip, inBody) => {
          let message: HttpMessage;
          if (inBody) {
            const changed = Buffer.from(body);
            changed[position % changed.length]! ^= flip;
            message = { ...original, body: changed };
          } else {
            const raw = Buffer.from(signature.slice(6, -1), 'base64');
            raw[position % raw.length]! ^= flip;
            message = withHeaders({ signature: `sig1=:${raw.toString('base64')}:` });
          }
          expect((await verifyWith(message)).valid).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Upvest v15 profile', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const request: HttpMessage = {
    method: 'POST',
    url: 'https://sandbox.upvest.co/webhooks',
    headers: {
      accept: 'application/json',
      authorization: 'Bearer c2VjcmV0Cg==',
      'content-type': 'application/json',
      'upvest-api-version': '1',
      'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    },
    body: '{"key": "value"}',
  };

  it('should cover the documented components in the documented order, with digest and length', () => {
    const added = upvestSignatureHeaders(request, {
      keyId: 'k',
      privateKey: keys.privateKey,
      now: () => CREATED,
      nonce: () => 'n',
    });
    expect(added['upvest-signature-version']).toBe('15');
    expect(added['content-length']).toBe('16');
    expect(added['content-digest']).toBe(
      'sha-512=:Hd9/AvGZkbjitW1+Ml8Fg1ux1mtcDYe6mLQjDyoowIWa3LM/PmwN2v9O+MjtQGrCA3EQWUL54dlgxKHyYbrucw==:',
    );
    expect(added['signature-input']).toBe(
      `sig1=("@method" "@path" "accept" "authorization" "content-length" "content-type" "content-digest" "upvest-api-version" "upvest-client-id");created=${CREATED};expires=${CREATED + 10};nonce="n";keyid="k"`,
    );
  });

  it('should cover @query only when there is one, and no digest or length without a body', () => {
    const added = upvestSignatureHeaders(
      {
        method: 'GET',
        url: 'https://sandbox.upvest.co/webhooks?limit=10',
        headers: { 'upvest-client-id': 'c' },
      },
      { keyId: 'k', privateKey: keys.privateKey, now: () => CREATED, nonce: () => 'n' },
    );
    expect(added['signature-input']).toContain('("@method" "@path" "@query" "upvest-client-id")');
    expect(added['content-digest']).toBeUndefined();
    expect(added['content-length']).toBeUndefined();
  });

  it('should produce requests that the Upvest verifier accepts, with a fresh nonce every time', async () => {
    const signer = createUpvestSigner({ keyId: 'k', privateKey: keys.privateKey });
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const headers = new Headers(request.headers);
      const added = await signer({
        method: 'POST',
        url: String(request.url),
        headers,
        body: new TextEncoder().encode(String(request.body)),
      });
      nonces.add(/nonce="([^"]+)"/.exec(added['signature-input'] ?? '')?.[1] ?? '');
      const verdict = await verifyUpvestRequest(
        { ...request, headers: { ...(request.headers as Record<string, string>), ...added } },
        { keys: keys.publicKey },
      );
      expect(verdict).toMatchObject({
        valid: true,
        ecdsaEncoding: 'der',
        algorithm: 'ecdsa-p521-sha512',
      });
    }
    expect(nonces.size).toBe(3);
  });

  it('should refuse a request without upvest-signature-version or without the authorization it carries', async () => {
    const added = upvestSignatureHeaders(
      {
        ...request,
        headers: { ...(request.headers as Record<string, string>), authorization: '' },
      },
      { keyId: 'k', privateKey: keys.privateKey },
    );
    const { 'upvest-signature-version': _v, ...withoutVersion } = added;
    const base = { ...(request.headers as Record<string, string>) };
    expect(
      await verifyUpvestRequest(
        { ...request, headers: { ...base, ...withoutVersion } },
        { keys: keys.publicKey },
      ),
    ).toMatchObject({ valid: false });
  });
});
