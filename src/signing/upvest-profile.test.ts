import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MissingComponentError } from './components.js';
import type { HttpMessage } from './message.js';
import { parseSignatureParams } from './params.js';
import { signRequest } from './sign.js';
import {
  createUpvestSigner,
  upvestComponents,
  upvestSignatureHeaders,
  verifyUpvestRequest,
  UPVEST_DEFAULT_EXPIRES_IN_SECONDS,
} from './upvest-profile.js';

const CREATED = 1633529659;
const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed25519 = generateKeyPairSync('ed25519');
const create = {
  method: 'POST',
  url: 'https://sandbox.upvest.co/webhooks',
  headers: {
    accept: 'application/json',
    authorization: 'Bearer c2VjcmV0Cg==',
    'content-type': 'application/json',
    'upvest-api-version': '1',
    'upvest-client-id': CLIENT_ID,
  },
  body: '{"key": "value"}',
};
const fixed = { keyId: 'k', privateKey: keys.privateKey, now: () => CREATED, nonce: 'n' };
const withAdded = (request: HttpMessage, added: Record<string, string>): HttpMessage => ({
  ...request,
  headers: { ...(request.headers as Record<string, string>), ...added },
});

describe('upvestSignatureHeaders', () => {
  it('should cover the documented components in order, with digest, length and version', async () => {
    expect(await upvestSignatureHeaders(create, fixed)).toEqual({
      'content-length': '16',
      'content-digest':
        'sha-512=:Hd9/AvGZkbjitW1+Ml8Fg1ux1mtcDYe6mLQjDyoowIWa3LM/PmwN2v9O+MjtQGrCA3EQWUL54dlgxKHyYbrucw==:',
      'signature-input': `sig1=("@method" "@path" "accept" "authorization" "content-length" "content-type" "content-digest" "upvest-api-version" "upvest-client-id");created=${CREATED};expires=${CREATED + 10};nonce="n";keyid="k"`,
      signature: expect.stringMatching(/^sig1=:MI[A-Za-z0-9+/]+=*:$/) as unknown, // DER: an ASN.1 SEQUENCE
      'upvest-signature-version': '15',
    });
  });

  it('should sign the token request, which has a form body and no authorization', async () => {
    const added = await upvestSignatureHeaders(
      {
        method: 'POST',
        url: 'https://sandbox.upvest.co/auth/token',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          'upvest-client-id': CLIENT_ID,
        },
        body: `client_id=${CLIENT_ID}&client_secret=s&grant_type=client_credentials&scope=webhooks%3Aread`,
      },
      fixed,
    );
    expect(parseSignatureParams(added['signature-input']?.slice(5) ?? '').components).toEqual([
      '@method',
      '@path',
      'accept',
      'content-length',
      'content-type',
      'content-digest',
      'upvest-client-id',
    ]);
  });

  it('should cover @query only when there is one, and neither digest nor length without a body', async () => {
    const added = await upvestSignatureHeaders(
      {
        method: 'GET',
        url: 'https://sandbox.upvest.co/webhooks?limit=10',
        headers: { 'upvest-client-id': CLIENT_ID, 'content-length': '0' },
      },
      fixed,
    );
    expect(added['signature-input']).toMatch(
      /^sig1=\("@method" "@path" "@query" "upvest-client-id"\);/,
    );
    expect(added['content-digest']).toBeUndefined();
    expect(added['content-length']).toBeUndefined();
  });

  it('should cover idempotency-key where a request carries one', () => {
    const request = withAdded(create, {
      'idempotency-key': 'f0a0b0c0-0000-4000-8000-000000000000',
    });
    expect(upvestComponents(request)).toEqual([
      '@method',
      '@path',
      'accept',
      'authorization',
      'content-type',
      'idempotency-key',
      'upvest-api-version',
      'upvest-client-id',
    ]);
  });

  it('should replace a content-length or content-digest that does not describe the body', async () => {
    const added = await upvestSignatureHeaders(
      withAdded(create, { 'content-length': '999', 'content-digest': 'sha-512=:AAAA:' }),
      fixed,
    );
    expect(added['content-length']).toBe('16');
    expect(added['content-digest']).toMatch(/^sha-512=:Hd9/);
  });

  it('should default expires to created + 10 s and take another window', async () => {
    const params = (added: Record<string, string>) =>
      parseSignatureParams(added['signature-input']?.slice(5) ?? '').params;
    expect(UPVEST_DEFAULT_EXPIRES_IN_SECONDS).toBe(10);
    expect(params(await upvestSignatureHeaders(create, fixed))).toMatchObject({
      expires: CREATED + 10,
    });
    expect(
      params(await upvestSignatureHeaders(create, { ...fixed, expiresInSeconds: 60 })),
    ).toMatchObject({
      expires: CREATED + 60,
    });
  });

  it('should use a random UUID nonce by default, and a nonce function per call', async () => {
    const nonce = (added: Record<string, string>) =>
      /nonce="([^"]+)"/.exec(added['signature-input'] ?? '')?.[1];
    const { nonce: _fixed, ...random } = fixed;
    expect(nonce(await upvestSignatureHeaders(create, random))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    let count = 0;
    const counted = { ...fixed, nonce: () => `n${++count}` };
    expect([
      nonce(await upvestSignatureHeaders(create, counted)),
      nonce(await upvestSignatureHeaders(create, counted)),
    ]).toEqual(['n1', 'n2']);
  });

  it('should refuse a request without upvest-client-id', async () => {
    await expect(
      upvestSignatureHeaders(
        { method: 'GET', url: 'https://sandbox.upvest.co/webhooks', headers: {} },
        fixed,
      ),
    ).rejects.toThrow(MissingComponentError);
  });

  it('should sign with Ed25519 when given an Ed25519 key', async () => {
    const added = await upvestSignatureHeaders(create, {
      ...fixed,
      privateKey: ed25519.privateKey,
    });
    const verdict = await verifyUpvestRequest(withAdded(create, added), {
      keys: ed25519.publicKey,
      now: () => CREATED,
    });
    expect(verdict).toMatchObject({ ok: true, algorithm: 'ed25519' });
  });
});

describe('verifyUpvestRequest: the clock', () => {
  it("should honour the caller's clock skew: a signature expired 20 s ago passes with 30 s of skew", async () => {
    const added = await upvestSignatureHeaders(create, fixed);
    const expires = CREATED + UPVEST_DEFAULT_EXPIRES_IN_SECONDS;
    const at = (skew: number | undefined) =>
      verifyUpvestRequest(withAdded(create, added), {
        keys: keys.publicKey,
        now: () => expires + 20,
        ...(skew === undefined ? {} : { clockSkewSeconds: skew }),
      });
    expect(await at(30)).toMatchObject({ ok: true });
    expect(await at(undefined)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await at(10)).toMatchObject({ ok: false, reason: 'expired' });
  });
});

const signedCreate = withAdded(create, await upvestSignatureHeaders(create, fixed));

describe('createUpvestSigner and verifyUpvestRequest', () => {
  it('should sign every request afresh in a way the Upvest verifier accepts', async () => {
    const signer = createUpvestSigner({ keyId: 'k', privateKey: keys.privateKey });
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const added = await signer({
        method: 'POST',
        url: create.url,
        headers: new Headers(create.headers),
        body: new TextEncoder().encode(create.body),
      });
      nonces.add(/nonce="([^"]+)"/.exec(added['signature-input'] ?? '')?.[1] ?? '');
      expect(
        await verifyUpvestRequest(withAdded(create, added), { keys: keys.publicKey }),
      ).toMatchObject({
        ok: true,
        algorithm: 'ecdsa-p521-sha512',
        ecdsaEncoding: 'der',
        baseFormat: 'rfc9421',
      });
    }
    expect(nonces.size).toBe(3);
  });

  const verify = (request: HttpMessage) =>
    verifyUpvestRequest(request, { keys: new Map([['k', keys.publicKey]]), now: () => CREATED });
  // A general signature that misses something the profile demands, verified by the profile.
  const generalSignature = async (
    components: string[],
    extra: Record<string, string | number> = {},
  ) =>
    withAdded(create, {
      ...(
        await signRequest(create, {
          keyId: 'k',
          privateKey: keys.privateKey,
          created: CREATED,
          expires: CREATED + 10,
          nonce: 'n',
          components,
          ...extra,
        })
      ).headers,
      'upvest-signature-version': '15',
    });

  it.each<[string, () => HttpMessage | Promise<HttpMessage>, string, RegExp]>([
    [
      'without upvest-signature-version',
      () => withAdded(signedCreate, { 'upvest-signature-version': '6' }),
      'missing_signature',
      /upvest-signature-version: 15/,
    ],
    [
      'whose signature leaves out authorization',
      () => generalSignature(['@method', '@path', 'content-digest', 'upvest-client-id']),
      'missing_required_component',
      /authorization/,
    ],
    [
      'whose signature leaves out the body digest',
      () => generalSignature(['@method', '@path', 'authorization', 'upvest-client-id']),
      'missing_required_component',
      /content-digest/,
    ],
    [
      'whose signature leaves out upvest-client-id',
      () => generalSignature(['@method', '@path', 'authorization', 'content-digest']),
      'missing_required_component',
      /upvest-client-id/,
    ],
    [
      'whose signature leaves out the query',
      () => ({ ...signedCreate, url: `${create.url}?limit=1` }),
      'missing_required_component',
      /@query/,
    ],
    [
      'whose signature has no nonce',
      async () => {
        const request = await generalSignature([
          '@method',
          '@path',
          'authorization',
          'content-digest',
          'upvest-client-id',
        ]);
        const headers = request.headers as Record<string, string>;
        return withAdded(request, {
          'signature-input': String(headers['signature-input']).replace(';nonce="n"', ''),
        });
      },
      'malformed_signature_header',
      /nonce/,
    ],
    [
      'whose body was changed',
      () => ({ ...signedCreate, body: '{"key": "other"}' }),
      'digest_mismatch',
      /content-digest/,
    ],
    [
      'whose authorization was changed',
      () => withAdded(signedCreate, { authorization: 'Bearer b3RoZXI=' }),
      'bad_signature',
      /does not match/,
    ],
  ])('should refuse a request %s', async (_name, build, reason, message) => {
    expect(await verify(await build())).toMatchObject({
      ok: false,
      reason,
      message: expect.stringMatching(message) as unknown,
    });
  });

  it('should accept the signed request itself', async () => {
    expect(await verify(signedCreate)).toMatchObject({ ok: true, keyId: 'k' });
  });
});
