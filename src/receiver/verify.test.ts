import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../signing/sign.js';
import type { KeyLookup } from '../signing/verify.js';
import type { JsonWebKeySet } from '../types.js';
import { createVerificationKeyProvider } from './keys.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
  type SignDeliveryOptions,
} from '../testing/deliveries.js';
import {
  checkDeliveryHeaders,
  formatsToTry,
  verifyDelivery,
  type DeliveryKeyLookup,
  type DeliveryRequest,
  type VerifyDeliveryOptions,
} from './verify.js';

const pair = generateDeliveryKeyPair();
const other = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const URL_ = 'https://tenant.tld/webhooks/users';

const event = (overrides: Partial<DeliveryEventInput> = {}) =>
  createDeliveryEvent({
    id: '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
    created_at: '2021-11-19T13:06:57.820371265Z',
    webhook_id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
    ...overrides,
  });

/** A delivery as a test holds it: a plain header record and a text body. */
interface TestDelivery extends DeliveryRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

function delivery(
  options: Partial<SignDeliveryOptions> = {},
  events: readonly DeliveryEventInput[] = [event()],
): TestDelivery {
  const signed = signDelivery(events, { ...pair, now: NOW, url: URL_, ...options });
  return { method: 'POST', url: signed.url, headers: signed.headers, body: signed.body };
}

const verify = (request: DeliveryRequest, options: Partial<VerifyDeliveryOptions> = {}) =>
  verifyDelivery(request, { keys: pair.jwks, now: () => NOW, ...options });

describe('verifyDelivery', () => {
  const variants = (['upvest-v6', 'rfc9421'] as const).flatMap((format) =>
    (['der', 'ieee-p1363'] as const).flatMap((ecdsaEncoding) =>
      (['digest', 'content-digest'] as const).map((digest) => ({ format, ecdsaEncoding, digest })),
    ),
  );

  it.each(variants)(
    'should verify a batch signed in the $format format, $ecdsaEncoding, with $digest, and say so',
    async ({ format, ecdsaEncoding, digest }) => {
      const result = await verify(delivery({ format, ecdsaEncoding, digest }));
      expect(result).toMatchObject({
        ok: true,
        signature: {
          keyId: pair.keyId,
          keyMatchedBy: 'kid',
          format,
          ecdsaEncoding,
          digestHeader: digest,
          coveredComponents: ['@method', '@path', 'content-type', 'content-length', digest],
          created: NOW,
          expires: NOW + 60,
        },
      });
      if (result.ok) expect(result.events.map((e) => e.type)).toEqual(['USER.CREATED']);
    },
  );

  it.each<[string, Partial<SignDeliveryOptions>, Partial<VerifyDeliveryOptions>, string]>([
    [
      'a v6 base when only rfc9421 is accepted',
      {},
      { signatureFormats: ['rfc9421'] },
      'bad_signature',
    ],
    [
      'an rfc9421 base when only v6 is accepted',
      { format: 'rfc9421' },
      { signatureFormats: ['upvest-v6'] },
      'bad_signature',
    ],
    [
      'a raw r||s signature when only DER is accepted',
      { ecdsaEncoding: 'ieee-p1363' },
      { ecdsaEncoding: 'der' },
      'bad_signature',
    ],
    [
      'a DER signature when only raw r||s is accepted',
      {},
      { ecdsaEncoding: 'ieee-p1363' },
      'bad_signature',
    ],
    [
      'a digest header when only content-digest is accepted',
      {},
      { digestHeaders: ['content-digest'] },
      'missing_digest',
    ],
    [
      'content-digest when only the legacy digest is accepted',
      { digest: 'content-digest' },
      { digestHeaders: ['digest'] },
      'missing_digest',
    ],
    [
      'a signature that does not cover @authority when it is required',
      {},
      { requiredComponents: ['@authority'] },
      'missing_required_component',
    ],
    [
      'a signature without a required parameter',
      {},
      { requiredParameters: ['created', 'expires', 'tag'] },
      'malformed_signature_header',
    ],
  ])('should refuse %s (a pinned variant)', async (_name, signing, options, reason) => {
    expect(await verify(delivery(signing), options)).toMatchObject({ ok: false, reason });
  });

  it('should accept what a pinned variant names', async () => {
    const result = await verify(delivery({ format: 'rfc9421', digest: 'content-digest' }), {
      signatureFormats: ['rfc9421'],
      ecdsaEncoding: 'der',
      digestHeaders: ['content-digest'],
      requiredComponents: ['@method', '@path'],
      requiredParameters: ['created', 'expires', 'keyid', 'nonce'],
    });
    expect(result.ok).toBe(true);
  });

  const base = delivery();
  const change = (edit: (copy: TestDelivery) => TestDelivery) => () =>
    edit({ ...base, headers: { ...base.headers } });
  const setHeader = (name: string, value: string | undefined) =>
    change((copy) => {
      const headers = { ...copy.headers };
      if (value === undefined) delete headers[name];
      else headers[name] = value;
      return { ...copy, headers };
    });
  const flipFirst = (text: string) =>
    text.replace(/:(.)/, (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`);

  it.each<[string, () => TestDelivery, Partial<VerifyDeliveryOptions>, string]>([
    [
      'a changed body',
      change((r) => ({ ...r, body: r.body.replace('USER.CREATED', 'USER.ACTIVATED') })),
      {},
      'digest_mismatch',
    ],
    [
      'a body with one more space',
      change((r) => ({ ...r, body: `${r.body} ` })),
      {},
      'digest_mismatch',
    ],
    [
      // The signature covers the header's value, and is checked first.
      'a changed digest header',
      setHeader('digest', 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='),
      {},
      'bad_signature',
    ],
    [
      'a malformed digest header',
      setHeader('digest', 'SHA-256=not base64!'),
      {},
      'digest_mismatch',
    ],
    ['a removed (covered) digest header', setHeader('digest', undefined), {}, 'missing_component'],
    ['a changed covered header', setHeader('content-type', 'text/plain'), {}, 'bad_signature'],
    ['a removed covered header', setHeader('content-type', undefined), {}, 'missing_component'],
    ['another method', change((r) => ({ ...r, method: 'PUT' })), {}, 'bad_signature'],
    [
      'another path',
      change((r) => ({ ...r, url: 'https://tenant.tld/webhooks/orders' })),
      {},
      'bad_signature',
    ],
    [
      'a changed signature',
      setHeader('signature', flipFirst(base.headers['signature']!)),
      {},
      'bad_signature',
    ],
    ['a truncated signature', setHeader('signature', 'sig1=:AAAA:'), {}, 'bad_signature'],
    [
      'a signature that is not a byte sequence',
      setHeader('signature', 'sig1="abc"'),
      {},
      'malformed_signature_header',
    ],
    [
      'a signature-input that is not a dictionary',
      setHeader('signature-input', '(('),
      {},
      'malformed_signature_header',
    ],
    [
      'a changed created parameter',
      setHeader(
        'signature-input',
        base.headers['signature-input']!.replace(`created=${NOW}`, `created=${NOW - 1}`),
      ),
      {},
      'bad_signature',
    ],
    [
      'a changed expires parameter',
      setHeader(
        'signature-input',
        base.headers['signature-input']!.replace(`expires=${NOW + 60}`, `expires=${NOW + 3600}`),
      ),
      {},
      'bad_signature',
    ],
    [
      'a component removed from signature-input',
      setHeader('signature-input', base.headers['signature-input']!.replace(' "content-type"', '')),
      {},
      'bad_signature',
    ],
    [
      // Refused before any key is tried: a signature without a covered digest proves nothing.
      'a digest removed from signature-input',
      setHeader('signature-input', base.headers['signature-input']!.replace(' "digest"', '')),
      {},
      'missing_digest',
    ],
    [
      'missing signature headers',
      change((r) => ({ ...r, headers: { 'content-type': 'application/json' } })),
      {},
      'missing_signature',
    ],
    [
      'a signature under another label than its input',
      setHeader('signature', base.headers['signature']!.replace('sig1=', 'sig2=')),
      {},
      'missing_signature',
    ],
    ['a key Upvest does not publish', () => base, { keys: other.jwks }, 'unknown_key'],
    [
      'the right kid on another key',
      () => base,
      { keys: { keys: [{ ...other.publicJwk, kid: pair.keyId }] } },
      'bad_signature',
    ],
    [
      'an unknown kid when keys must match by kid',
      () => base,
      { keys: { keys: [{ ...pair.publicJwk, kid: 'renamed' }] }, keyIdMatch: 'kid' },
      'unknown_key',
    ],
    ['an empty key set', () => base, { keys: { keys: [] } }, 'unknown_key'],
    [
      'a key set of another curve',
      () => base,
      { keys: { keys: [{ ...pair.publicJwk, crv: 'P-256' as 'P-521' }] } },
      'unknown_key',
    ],
  ])('should refuse %s', async (_name, build, options, reason) => {
    expect(await verify(build(), options)).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['an expired delivery', NOW - 3600, {}, 'expired'],
    ['a delivery created in the future', NOW + 3600, {}, 'created_in_future'],
    ['a delivery older than maxAgeSeconds', NOW - 50, { maxAgeSeconds: 10 }, 'expired'],
    ['a delivery just past expires plus the skew', NOW - 60 - 31, {}, 'expired'],
  ])('should refuse %s', async (_name, signedAt, options, reason) => {
    expect(await verify(delivery({ now: signedAt }), options)).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['within the default 30 s of skew after expires', NOW - 60 - 30, {}],
    ['created up to the skew in the future', NOW + 30, {}],
    ['long expired when timestamps are not enforced', NOW - 86_400, { enforceTimestamps: false }],
    ['within a wider skew', NOW - 60 - 300, { clockSkewSeconds: 300 }],
  ])('should accept a delivery %s', async (_name, signedAt, options) => {
    expect((await verify(delivery({ now: signedAt }), options)).ok).toBe(true);
  });

  it('should refuse a valid signature that covers no digest', async () => {
    const body = JSON.stringify({ payload: [event()] });
    const headers = { 'content-type': 'application/json' };
    const signed = await signRequest(
      { method: 'POST', url: URL_, headers, body },
      { ...pair, created: NOW, components: ['@method', '@path'], baseFormat: 'upvest-v6' },
    );
    const result = await verify({
      method: 'POST',
      url: URL_,
      headers: { ...headers, ...signed.headers },
      body,
    });
    expect(result).toMatchObject({
      ok: false,
      reason: 'missing_digest',
      message: 'the signature must cover content-digest or digest',
    });
  });

  it('should name the covered digest header, also when another one is present', async () => {
    const signed = delivery({ digest: 'digest', headers: { 'content-digest': 'sha-512=:AAAA:' } });
    // An uncovered digest header must still match the body.
    expect(await verify(signed)).toMatchObject({ ok: false, reason: 'digest_mismatch' });
    const both = delivery({ digest: 'digest' });
    const { contentDigest } = await import('../signing/digest.js');
    const result = await verify({
      ...both,
      headers: { ...both.headers, 'content-digest': await contentDigest(both.body) },
    });
    expect(result).toMatchObject({ ok: true, signature: { digestHeader: 'digest' } });
  });

  it('should try every published key when no kid matches the keyid, and say so', async () => {
    const renamed: JsonWebKeySet = {
      keys: [other.publicJwk, { ...pair.publicJwk, kid: 'upvest-2026' }],
    };
    expect(await verify(base, { keys: renamed })).toMatchObject({
      ok: true,
      signature: { keyId: pair.keyId, keyMatchedBy: 'any-key' },
    });
  });

  it('should try the keys a provider fetched when no kid matches', async () => {
    const keys = createVerificationKeyProvider({
      fetchKeys: () => Promise.resolve({ keys: [{ ...pair.publicJwk, kid: 'upvest-2026' }] }),
    });
    expect(await verify(base, { keys })).toMatchObject({
      ok: true,
      signature: { keyMatchedBy: 'any-key' },
    });
  });

  it('should verify with a key lookup function', async () => {
    const lookup: KeyLookup = (keyId) => (keyId === pair.keyId ? pair.privateKey : undefined);
    expect((await verify(base, { keys: lookup })).ok).toBe(true);
  });

  it('should report keys it could not fetch as keys_unavailable, not as a bad signature', async () => {
    const keys = createVerificationKeyProvider({
      fetchKeys: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const result = await verify(base, { keys });
    expect(result).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    if (!result.ok) expect(String((result.cause as Error).cause)).toContain('ECONNREFUSED');
  });

  it('should resolve a path-only URL against the host header', async () => {
    const signed = delivery({ components: ['@method', '@authority', '@path', 'digest'] });
    const result = await verify({
      ...signed,
      url: '/webhooks/users',
      headers: { ...signed.headers, host: 'tenant.tld' },
    });
    expect(result).toMatchObject({
      ok: true,
      signature: { coveredComponents: ['@method', '@authority', '@path', 'digest'] },
    });
  });

  it('should accept the body as bytes, a header record with arrays, or Headers', async () => {
    const bytes = { ...base, body: new TextEncoder().encode(base.body) };
    const arrays = {
      ...base,
      headers: Object.fromEntries(Object.entries(base.headers).map(([k, v]) => [k, [v]])),
    };
    const headers = { ...base, headers: new Headers(base.headers) };
    for (const request of [bytes, arrays, headers]) expect((await verify(request)).ok).toBe(true);
  });

  it('should parse only after verifying: a signed malformed body is invalid, an unsigned one unauthorised', async () => {
    const signed = delivery({ body: '{"payload": [' });
    expect(await verify(signed)).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(await verify({ ...signed, headers: {} })).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
    const invalid = delivery({
      body: JSON.stringify({ payload: [event(), event({ created_at: 'yesterday' })] }),
    });
    const result = await verify(invalid);
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid_delivery',
      message: expect.stringContaining('/payload/1/created_at') as unknown,
    });
  });

  it('should never accept a delivery with flipped bytes in its body, digest or signature', async () => {
    const original = delivery({}, [event(), event({ id: '1f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11' })]);
    const body = Buffer.from(original.body);
    const signature = Buffer.from(original.headers['signature']!.slice(6, -1), 'base64');
    const digest = original.headers['digest']!;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('body', 'signature', 'digest'),
        async (at, flip, where) => {
          const b = Buffer.from(body);
          const s = Buffer.from(signature);
          let d = digest;
          if (where === 'body') b[at % b.length]! ^= flip;
          else if (where === 'signature') s[at % s.length]! ^= flip;
          else {
            const i = at % d.length;
            d = `${d.slice(0, i)}${String.fromCharCode((d.charCodeAt(i) ^ flip) % 128 || 1)}${d.slice(i + 1)}`;
            if (d === digest) return;
          }
          const result = await verify({
            ...original,
            body: b,
            headers: {
              ...original.headers,
              digest: d,
              signature: `sig1=:${s.toString('base64')}:`,
            },
          });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('formatsToTry', () => {
  const both = ['upvest-v6', 'rfc9421'] as const;
  it.each([
    [
      'content-digest: the v15 form first',
      'sig1=("@method" "content-digest");keyid="k"',
      both,
      ['rfc9421', 'upvest-v6'],
    ],
    [
      'digest: the v6 form first',
      'sig1=("@method" "digest");keyid="k"',
      both,
      ['upvest-v6', 'rfc9421'],
    ],
    [
      'digest with v15 preferred by the caller: v6 first anyway',
      'sig1=("digest")',
      ['rfc9421', 'upvest-v6'],
      ['upvest-v6', 'rfc9421'],
    ],
    [
      "no digest: the caller's order",
      'sig1=("@method" "@path")',
      ['rfc9421', 'upvest-v6'],
      ['rfc9421', 'upvest-v6'],
    ],
    ["no signature-input: the caller's order", undefined, both, both],
    [
      'a hint for a format not allowed: only what is allowed',
      'sig1=("content-digest")',
      ['upvest-v6'],
      ['upvest-v6'],
    ],
    [
      'a header merely named like a digest: no hint',
      'sig1=("x-content-digest-copy")',
      ['rfc9421', 'upvest-v6'],
      ['rfc9421', 'upvest-v6'],
    ],
  ] as const)('should order %s', (_name, input, allowed, expected) => {
    expect(formatsToTry(allowed, input)).toEqual(expected);
  });

  it('should still verify a delivery whose digest header points at the other format', async () => {
    // A v6 base with content-digest: the hint says v15 first; the v6 try must still come.
    const request = delivery({ format: 'upvest-v6', digest: 'content-digest' });
    const result = await verify(request);
    expect(result).toMatchObject({ ok: true, signature: { format: 'upvest-v6' } });
  });
});

describe('verifyDelivery, the authority of a path-only request', () => {
  const withAuthority = (url: string) =>
    delivery({ url, components: ['@method', '@authority', '@path', 'digest'] });
  const pathOnly = (signed: TestDelivery, headers: Record<string, string>) => ({
    ...signed,
    url: '/webhooks/users',
    headers: { ...signed.headers, ...headers },
  });

  it('should read a request without a Host header as addressed to localhost, never to "undefined"', async () => {
    const signed = withAuthority('https://localhost/webhooks/users');
    expect((await verify(pathOnly(signed, {}))).ok).toBe(true);
  });

  it.each(['tenant.tld/x', 'tenant.tld?x', 'x@tenant.tld', 'tenant.tld x'])(
    'should not take the authority from a Host header %j, which carries more than a host',
    async (host) => {
      const signed = withAuthority(URL_);
      expect(await verify(pathOnly(signed, { host }))).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    },
  );

  it('should never throw on a path-only URL, whatever it holds', async () => {
    const signed = delivery();
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.option(fc.string()), async (path, host) => {
        const headers = host === null ? {} : { host };
        const result = await verify({ ...pathOnly(signed, headers), url: `/${path}` });
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('verifyDelivery, binding a delivery to its recipient (audit finding 5)', () => {
  const TENANT_A = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
  const TENANT_B = '5b3c8d1e-6f2a-4c7b-9e0d-1a2b3c4d5e6f';
  // Tenant A's genuine delivery, replayed by A to tenant B's receiver within its window.
  const forA = (components?: readonly string[]) =>
    delivery({
      url: 'https://tenant-a.example/webhooks/upvest',
      ...(components ? { components } : {}),
    });
  const atB = (signed: TestDelivery) => ({
    ...signed,
    url: 'https://tenant-b.example/webhooks/upvest',
  });

  it('should show the replay: with the defaults, A delivery verifies at B', async () => {
    expect((await verify(atB(forA()))).ok).toBe(true);
  });

  it.each([
    ['webhookIds without the delivering webhook', { webhookIds: [TENANT_B] }, 'foreign_webhook'],
    [
      '@authority required, when the signature does not cover it',
      { requiredComponents: ['@authority'] },
      'missing_required_component',
    ],
  ] as const)('should refuse the replay at B with %s', async (_name, options, reason) => {
    expect(await verify(atB(forA()), options)).toMatchObject({ ok: false, reason });
  });

  it('should refuse the replay at B when the signature covers @authority', async () => {
    const covering = forA(['@method', '@authority', '@path', 'digest']);
    expect(await verify(atB(covering))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('should accept the webhooks it serves, in any case, and refuse a batch with one foreign event', async () => {
    expect((await verify(forA(), { webhookIds: [TENANT_B, TENANT_A.toUpperCase()] })).ok).toBe(
      true,
    );
    const mixed = delivery({}, [event(), event({ id: randomUUID(), webhook_id: TENANT_B })]);
    const refused = await verify(mixed, { webhookIds: [TENANT_A] });
    expect(refused).toMatchObject({ ok: false, reason: 'foreign_webhook' });
    expect(!refused.ok && refused.message).toContain(TENANT_B);
  });
});

describe('verifyDelivery, what a refusal says', () => {
  /** Signed by the other key pair under our key id: the key is known, the signature is wrong. */
  const forged = (options: Partial<SignDeliveryOptions> = {}) =>
    delivery({ privateKey: other.privateKey, ...options });
  const hint =
    '; it covers @path, checked here as "/webhooks/users": if a proxy or a mount prefix changes the path, verify with the path Upvest addressed';

  it('should name the path it checked when a signature over @path does not verify', async () => {
    const result = await verify(forged());
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
    if (!result.ok) expect(result.message.endsWith(hint)).toBe(true);
  });

  it('should not hint at the path when the signature does not cover it', async () => {
    const result = await verify(forged({ components: ['@method', 'digest'] }));
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
    if (!result.ok) expect(result.message).not.toContain('@path');
  });

  it('should not hint at the path when the refusal is about time, not the signature', async () => {
    const result = await verify(delivery(), { now: () => NOW + 3600 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).not.toBe('bad_signature');
      expect(result.message).not.toContain('@path');
    }
  });

  it('should refuse a known key id signed by another key, without trying every key', async () => {
    const keys: JsonWebKeySet = { keys: [...pair.jwks.keys, ...other.jwks.keys] };
    expect(await verify(forged(), { keys })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('should skip a published key it cannot use while trying every key', async () => {
    const keys = {
      keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'junk' }, ...other.jwks.keys],
    } as unknown as JsonWebKeySet;
    const signed = delivery({ privateKey: other.privateKey, keyId: 'no-such-key' });
    expect(await verify(signed, { keys })).toMatchObject({
      ok: true,
      signature: { keyMatchedBy: 'any-key' },
    });
  });

  it('should try the keys a lookup of your own lists with allKeys when no kid matches', async () => {
    const keys: DeliveryKeyLookup = Object.assign(() => undefined, {
      allKeys: () => ({ keys: [{ ...pair.publicJwk, kid: 'upvest-2026' }] }),
    });
    expect(await verify(delivery(), { keys })).toMatchObject({
      ok: true,
      signature: { keyMatchedBy: 'any-key' },
    });
  });

  it('should refuse an unknown key id cleanly when the keys come from a plain function', async () => {
    const keys: KeyLookup = () => Promise.resolve(undefined);
    const signed = delivery({ keyId: 'no-such-key' });
    expect(await verify(signed, { keys })).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it('should say the key lookup failed, and no more, when a key function throws', async () => {
    const keys: KeyLookup = () => Promise.reject(new Error('s3cr3t connection string'));
    const result = await verify(delivery(), { keys });
    expect(result).toMatchObject({
      ok: false,
      reason: 'keys_unavailable',
      message: 'the key lookup failed',
    });
  });

  it('should ignore maxAgeSeconds when timestamps are not enforced', async () => {
    const result = await verify(delivery(), {
      enforceTimestamps: false,
      maxAgeSeconds: 60,
      now: () => NOW + 3600,
    });
    expect(result.ok).toBe(true);
  });

  it('should name the first issue and hand over every issue of a signed body that is no delivery', async () => {
    const signed = delivery({ body: '[]' });
    const result = await verify(signed);
    expect(result).toMatchObject({ ok: false, reason: 'invalid_delivery' });
    if (!result.ok) {
      expect(result.issues?.length).toBeGreaterThan(0);
      expect(result.message).toBe(
        `the body is not a valid delivery: / ${result.issues?.[0]?.message ?? ''}`,
      );
    }
  });
});

describe('checkDeliveryHeaders', () => {
  const check = (request: DeliveryRequest, options: Partial<VerifyDeliveryOptions> = {}) =>
    checkDeliveryHeaders(request, { keys: pair.jwks, now: () => NOW, ...options });

  it('should pass well-formed headers on to the full check', async () => {
    expect(await check(delivery())).toBeUndefined();
  });

  it('should leave an unknown key id to the full check by default: another key may verify it', async () => {
    expect(await check(delivery({ keyId: 'no-such-key' }))).toBeUndefined();
  });

  it("should refuse an unknown key id early with keyIdMatch 'kid'", async () => {
    expect(await check(delivery({ keyId: 'no-such-key' }), { keyIdMatch: 'kid' })).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it.each(['kid', 'kid-or-any-key'] as const)(
    'should report keys it could not fetch as keys_unavailable (a 503, not a 401), keyIdMatch %s',
    async (keyIdMatch) => {
      const keys: KeyLookup = () => Promise.reject(new Error('ECONNREFUSED'));
      expect(await check(delivery(), { keys, keyIdMatch })).toMatchObject({
        reason: 'keys_unavailable',
      });
    },
  );

  it('should refuse a delivery without signature headers before the body is read', async () => {
    const { signature: _s, 'signature-input': _i, ...headers } = delivery().headers;
    expect(await check({ ...delivery(), headers })).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });
});
