import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import { MissingComponentError } from './components.js';
import { contentDigest } from './digest.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import type { HttpMessage } from './message.js';
import { signRequest, type SignRequestOptions } from './sign.js';
import { verifyRequestSignature } from './verify.js';

const CREATED = 1618884473;
const ed25519 = rfcKeys.ed25519PrivatePem;
const request = {
  method: 'POST',
  url: 'https://sandbox.upvest.co/webhooks?x=1',
  headers: { 'content-type': 'application/json' },
  body: '{"title":"User webhook"}',
} satisfies HttpMessage;
const options: SignRequestOptions = { keyId: 'k1', privateKey: ed25519, created: CREATED };

describe('signRequest', () => {
  it('should cover method, authority, path, query and a computed content-digest by default', async () => {
    const signed = await signRequest(request, options);
    expect(signed.headers).toEqual({
      'content-digest': await contentDigest(request.body),
      'signature-input': `sig1=("@method" "@authority" "@path" "@query" "content-digest");created=${CREATED};keyid="k1"`,
      signature: expect.stringMatching(/^sig1=:[A-Za-z0-9+/]{86}==:$/) as unknown,
    });
    expect(signed.signatureBase).toBe(
      [
        '"@method": POST',
        '"@authority": sandbox.upvest.co',
        '"@path": /webhooks',
        '"@query": ?x=1',
        `"content-digest": ${await contentDigest(request.body)}`,
        `"@signature-params": ${signed.signatureParams}`,
      ].join('\n'),
    );
  });

  it('should leave content-digest out of the defaults without a body, and keep @query as ?', async () => {
    const signed = await signRequest(
      { method: 'GET', url: 'https://x.tld/a', headers: {} },
      options,
    );
    expect(signed.headers['content-digest']).toBeUndefined();
    expect(signed.signatureBase).toContain('"@query": ?\n');
  });

  it('should use a content-digest the request already has instead of computing one', async () => {
    const digest = await contentDigest(request.body, 'sha-256');
    const signed = await signRequest(
      { ...request, headers: { ...request.headers, 'Content-Digest': digest } },
      options,
    );
    expect(signed.headers['content-digest']).toBeUndefined();
    expect(signed.signatureBase).toContain(`"content-digest": ${digest}\n`);
  });

  it('should digest the exact bytes of a binary body', async () => {
    const body = new Uint8Array([0xff, 0x00, 0xfe]);
    const signed = await signRequest({ ...request, body }, options);
    expect(signed.headers['content-digest']).toBe(await contentDigest(body));
  });

  it('should be deterministic for Ed25519 when created and nonce are given', async () => {
    const once = await signRequest(request, { ...options, nonce: 'n' });
    expect(await signRequest(request, { ...options, nonce: 'n' })).toEqual(once);
  });

  it('should read headers from a Headers object without changing it', async () => {
    const headers = new Headers(request.headers);
    const signed = await signRequest(
      { ...request, headers },
      { ...options, components: ['content-type'] },
    );
    expect(signed.signatureBase.split('\n')[0]).toBe('"content-type": application/json');
    expect([...headers.keys()]).toEqual(['content-type']);
  });

  it('should write every parameter it is given, in a fixed order, and the label asked for', async () => {
    const signed = await signRequest(request, {
      ...options,
      components: ['@method'],
      expires: CREATED + 5,
      nonce: 'n',
      tag: 'upvest',
      includeAlg: true,
      label: 'upvest',
    });
    expect(signed.headers['signature-input']).toBe(
      `upvest=("@method");created=${CREATED};expires=${CREATED + 5};nonce="n";keyid="k1";alg="ed25519";tag="upvest"`,
    );
    expect(signed.headers['signature']).toMatch(/^upvest=:/);
  });

  it('should write the Upvest v6 base when asked', async () => {
    const signed = await signRequest(request, {
      ...options,
      baseFormat: 'upvest-v6',
      components: ['@method', '@path'],
    });
    expect(signed.signatureBase).toBe(
      `@method: POST\n@path: /webhooks\n@signature-params: ("@method" "@path");created=${CREATED};keyid="k1"`,
    );
  });

  it('should default to DER for ECDSA, as Upvest signs, and write raw r||s when asked', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    for (const encoding of ['der', 'ieee-p1363'] as const) {
      const signed = await signRequest(request, {
        ...options,
        privateKey,
        ...(encoding === 'der' ? {} : { ecdsaEncoding: encoding }),
      });
      const verdict = await verifyRequestSignature(
        { ...request, headers: { ...request.headers, ...signed.headers } },
        { keys: publicKey, now: () => CREATED },
      );
      expect(verdict).toMatchObject({ ok: true, ecdsaEncoding: encoding });
    }
  });

  it.each<
    [string, Partial<SignRequestOptions>, HttpMessage, RegExp | (new (...args: never[]) => Error)]
  >([
    ['an unreadable key', { privateKey: 'not a key' }, request, UpvestConfigurationError],
    [
      'an algorithm the key does not suit',
      { algorithm: 'ecdsa-p256-sha256' },
      request,
      /ecdsa-p256-sha256 cannot be used with a key of type ed25519/,
    ],
    [
      'a covered header the request lacks',
      { components: ['authorization'] },
      request,
      MissingComponentError,
    ],
    [
      'content-digest covered without a body to digest',
      { components: ['content-digest'] },
      { ...request, body: undefined },
      MissingComponentError,
    ],
    ['a component listed twice', { components: ['@path', '@path'] }, request, /covered twice/],
    ['a label that is not a key', { label: 'Sig 1' }, request, /not a signature label/],
    ['a created time in milliseconds', { created: 1618884473.5 }, request, /integer/],
    ['a malformed identifier', { components: ['content type'] }, request, /not a component/],
  ])('should refuse %s', async (_name, change, message, expected) => {
    await expect(signRequest(message, { ...options, ...change })).rejects.toThrow(expected);
  });
});

describe('signRequest: optional parameters', () => {
  it('should leave out expires and nonce when none is given, and put them in when they are', async () => {
    const bare = (await signRequest(request, options)).headers['signature-input'];
    expect(bare).not.toMatch(/expires=|nonce=/);
    const full = (await signRequest(request, { ...options, expires: CREATED + 10, nonce: 'n1' }))
      .headers['signature-input'];
    expect(full).toContain(`;expires=${CREATED + 10}`);
    expect(full).toContain(';nonce="n1"');
  });
});
