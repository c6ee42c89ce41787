import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDigest, legacyDigest } from './digest.js';
import type { HttpMessage } from './message.js';
import { signRequest, type SignRequestOptions } from './sign.js';
import {
  checkSignatureHeaders,
  verifyRequestSignature,
  type SignatureFailureReason,
  type VerifySignatureOptions,
} from './verify.js';

const CREATED = 1618884473;
const ed25519 = generateKeyPairSync('ed25519');
const request = {
  method: 'POST',
  url: 'https://sandbox.upvest.co/webhooks?x=1',
  headers: {
    'content-type': 'application/json',
    'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
  },
  body: '{"title":"User webhook"}',
};

async function signed(
  privateKey: KeyObject = ed25519.privateKey,
  extra: Partial<SignRequestOptions> = {},
  message: typeof request = request,
): Promise<HttpMessage & { headers: Record<string, string> }> {
  const result = await signRequest(message, {
    keyId: 'k1',
    privateKey,
    created: CREATED,
    expires: CREATED + 10,
    nonce: 'n',
    components: [
      '@method',
      '@path',
      '@query',
      'content-type',
      'upvest-client-id',
      'content-digest',
    ],
    ...extra,
  });
  return { ...message, headers: { ...message.headers, ...result.headers } };
}

const original = await signed();
const withHeaders = (change: Record<string, string | undefined>): HttpMessage => {
  const headers: Record<string, string> = { ...original.headers };
  for (const [name, value] of Object.entries(change)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { ...original, headers };
};
/** Signed anew with these headers: the signature holds, so what is checked after it decides. */
const signedWith = (headers: Record<string, string>): Promise<HttpMessage> =>
  signed(ed25519.privateKey, {}, { ...request, headers: { ...request.headers, ...headers } });
const inputWith = (from: string, to: string) =>
  withHeaders({ 'signature-input': original.headers['signature-input']?.replace(from, to) });
const verify = (message: HttpMessage, extra: Partial<VerifySignatureOptions> = {}) =>
  verifyRequestSignature(message, {
    keys: (id) => (id === 'k1' ? ed25519.publicKey : undefined),
    now: () => CREATED,
    ...extra,
  });

describe('verifyRequestSignature', () => {
  it('should accept the signed request and say what it checked', async () => {
    expect(await verify(original)).toEqual({
      ok: true,
      label: 'sig1',
      keyId: 'k1',
      algorithm: 'ed25519',
      coveredComponents: [
        '@method',
        '@path',
        '@query',
        'content-type',
        'upvest-client-id',
        'content-digest',
      ],
      params: { created: CREATED, expires: CREATED + 10, nonce: 'n', keyid: 'k1' },
      baseFormat: 'rfc9421',
      ecdsaEncoding: undefined,
      digestHeader: 'content-digest',
    });
  });

  it.each<
    [
      string,
      () => HttpMessage | Promise<HttpMessage>,
      Partial<VerifySignatureOptions>,
      SignatureFailureReason,
    ]
  >([
    [
      'no signature headers',
      () => withHeaders({ signature: undefined, 'signature-input': undefined }),
      {},
      'missing_signature',
    ],
    [
      'a signature without signature-input',
      () => withHeaders({ 'signature-input': undefined }),
      {},
      'missing_signature',
    ],
    ['a label that is not there', () => original, { label: 'sig2' }, 'missing_signature'],
    ['a label only in signature-input', () => inputWith('sig1=', 'sig2='), {}, 'missing_signature'],
    [
      'a signature-input that does not parse',
      () => withHeaders({ 'signature-input': 'sig1=(((' }),
      {},
      'malformed_signature_header',
    ],
    [
      'a signature that does not parse',
      () => withHeaders({ signature: 'sig1=:AA' }),
      {},
      'malformed_signature_header',
    ],
    [
      'a member that is not an inner list',
      () => withHeaders({ 'signature-input': 'sig1="@method"' }),
      {},
      'malformed_signature_header',
    ],
    [
      'a signature that is not a byte sequence',
      () => withHeaders({ signature: 'sig1="abc"' }),
      {},
      'malformed_signature_header',
    ],
    [
      'a created that is not an integer',
      () => inputWith(`created=${CREATED}`, 'created="1"'),
      {},
      'malformed_signature_header',
    ],
    [
      'a component covered twice',
      () => inputWith('"@method"', '"@method" "@method"'),
      {},
      'malformed_signature_header',
    ],
    [
      'a parameter the verifier requires',
      () => original,
      { requiredParameters: ['tag'] },
      'malformed_signature_header',
    ],
    ['an unknown key id', () => original, { keys: () => undefined }, 'unknown_key'],
    [
      'a key id missing from a map',
      () => original,
      { keys: new Map([['k2', ed25519.publicKey]]) },
      'unknown_key',
    ],
    [
      'a key lookup that throws',
      () => original,
      { keys: () => Promise.reject(new Error('down')) },
      'unknown_key',
    ],
    ['a key that cannot be read', () => original, { keys: 'not a pem' }, 'unknown_key'],
    [
      'a covered header that is absent',
      () => withHeaders({ 'upvest-client-id': undefined }),
      {},
      'missing_component',
    ],
    [
      'a covered component with an unsupported parameter',
      () => inputWith('"content-type"', '"content-type";bs'),
      {},
      'missing_component',
    ],
    [
      'a component the verifier requires',
      () => original,
      { requiredComponents: ['authorization'] },
      'missing_required_component',
    ],
    [
      'a changed body',
      () => ({ ...original, body: '{"title":"Other webhook"}' }),
      {},
      'digest_mismatch',
    ],
    ['a dropped body', () => ({ ...original, body: undefined }), {}, 'digest_mismatch'],
    [
      'a covered digest in unknown algorithms only',
      () => signedWith({ 'content-digest': 'sha-384=:AAAA:' }),
      {},
      'digest_mismatch',
    ],
    [
      'a legacy digest that does not match',
      async () => withHeaders({ digest: await legacyDigest('{}') }),
      {},
      'digest_mismatch',
    ],
    [
      'a changed covered header',
      () => withHeaders({ 'content-type': 'text/plain' }),
      {},
      'bad_signature',
    ],
    ['a changed method', () => ({ ...original, method: 'PUT' }), {}, 'bad_signature'],
    [
      'a changed path',
      () => ({ ...original, url: 'https://sandbox.upvest.co/webhookz?x=1' }),
      {},
      'bad_signature',
    ],
    [
      'a changed query',
      () => ({ ...original, url: 'https://sandbox.upvest.co/webhooks?x=2' }),
      {},
      'bad_signature',
    ],
    ['a changed parameter', () => inputWith('nonce="n"', 'nonce="m"'), {}, 'bad_signature'],
    [
      'another key',
      () => original,
      { keys: generateKeyPairSync('ed25519').publicKey },
      'bad_signature',
    ],
    [
      'a base format the signer did not use',
      () => original,
      { baseFormat: 'upvest-v6' },
      'bad_signature',
    ],
    ['an expired signature', () => original, { now: () => CREATED + 16 }, 'expired'],
    [
      'a signature older than maxAgeSeconds',
      () => original,
      { now: () => CREATED + 9, maxAgeSeconds: 3 },
      'expired',
    ],
    [
      'a signature created in the future',
      () => original,
      { now: () => CREATED - 6 },
      'created_in_future',
    ],
    [
      'an alg this package does not know',
      () => inputWith('keyid="k1"', 'keyid="k1";alg="hs2019"'),
      {},
      'unsupported_algorithm',
    ],
    [
      'an alg other than the configured one',
      () => inputWith('keyid="k1"', 'keyid="k1";alg="ed25519"'),
      { algorithm: 'ecdsa-p521-sha512' },
      'unsupported_algorithm',
    ],
    [
      'an alg that turns the public key into an HMAC secret',
      () => inputWith('keyid="k1"', 'keyid="k1";alg="hmac-sha256"'),
      {},
      'unsupported_algorithm',
    ],
    [
      'a key of a kind no algorithm uses',
      () => original,
      { keys: generateKeyPairSync('x25519').publicKey },
      'unsupported_algorithm',
    ],
    [
      'a configured algorithm the key does not suit',
      () => original,
      { algorithm: 'ecdsa-p521-sha512' },
      'unsupported_algorithm',
    ],
  ])('should refuse %s', async (_name, build, extra, reason) => {
    expect(await verify(await build(), extra)).toMatchObject({
      ok: false,
      reason,
      message: expect.any(String) as unknown,
    });
  });

  it('should tolerate the clock skew it is given on created and expires', async () => {
    expect((await verify(original, { now: () => CREATED - 5 })).ok).toBe(true);
    expect((await verify(original, { now: () => CREATED + 15 })).ok).toBe(true);
    expect((await verify(original, { now: () => CREATED + 40, clockSkewSeconds: 30 })).ok).toBe(
      true,
    );
  });

  it('should check a second signature by its label, and take keys from a map', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { headers: second } = await signRequest(original, {
      keyId: 'proxy',
      privateKey: p256.privateKey,
      created: CREATED,
      components: ['@method', 'signature;key="sig1"'],
      label: 'proxy',
    });
    const message = withHeaders({
      'signature-input': `${original.headers['signature-input']}, ${second['signature-input']}`,
      signature: `${original.headers['signature']}, ${second['signature']}`,
    });
    const keys = new Map([
      ['k1', ed25519.publicKey],
      ['proxy', p256.publicKey],
    ]);
    expect(await verify(message, { keys })).toMatchObject({ ok: true, label: 'sig1' });
    expect(await verify(message, { keys, label: 'proxy' })).toMatchObject({
      ok: true,
      label: 'proxy',
      algorithm: 'ecdsa-p256-sha256',
      coveredComponents: ['@method', 'signature;key="sig1"'],
    });
  });

  it('should try both base formats with either, and report the one that matched', async () => {
    const v6 = await signed(ed25519.privateKey, { baseFormat: 'upvest-v6' });
    expect(await verify(v6, { baseFormat: 'either' })).toMatchObject({
      ok: true,
      baseFormat: 'upvest-v6',
    });
    expect(await verify(original, { baseFormat: 'either' })).toMatchObject({
      ok: true,
      baseFormat: 'rfc9421',
    });
    expect(await verify(v6, { baseFormats: ['upvest-v6'] })).toMatchObject({ ok: true });
  });

  it('should check a legacy digest the signature covers, and ignore an unknown uncovered one', async () => {
    const legacy = await signRequest(
      { ...request, headers: { ...request.headers, digest: await legacyDigest(request.body) } },
      {
        keyId: 'k1',
        privateKey: ed25519.privateKey,
        created: CREATED,
        components: ['@method', 'digest'],
      },
    );
    const message = {
      ...request,
      headers: { ...request.headers, digest: await legacyDigest(request.body), ...legacy.headers },
    };
    expect(await verify(message)).toMatchObject({ ok: true, digestHeader: 'digest' });
    const uncovered = {
      ...message,
      headers: { ...message.headers, 'content-digest': 'sha-384=:AAAA:' },
    };
    expect(await verify(uncovered)).toMatchObject({ ok: true, digestHeader: 'digest' });
  });

  it('should read Node-style headers with repeated lines as arrays', async () => {
    const result = await signRequest(
      { method: 'GET', url: 'https://x.tld/', headers: { accept: 'a, b' } },
      { keyId: 'k1', privateKey: ed25519.privateKey, created: CREATED, components: ['accept'] },
    );
    const message = {
      method: 'GET',
      url: 'https://x.tld/',
      headers: { accept: ['a', 'b'], ...result.headers },
    };
    expect((await verify(message)).ok).toBe(true);
  });

  it('should never throw, whatever the signature headers hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (input, signature) => {
        const verdict = await verify(withHeaders({ 'signature-input': input, signature }));
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyRequestSignature against tampering (zero false accepts)', () => {
  const mutations = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
    minLength: 1,
    maxLength: 4,
  });
  function mutate(bytes: Uint8Array, changes: [number, number][]): Uint8Array {
    const copy = new Uint8Array(bytes);
    // Distinct positions, so no two flips cancel out.
    const seen = new Set<number>();
    for (const [position, flip] of changes) {
      const at = position % copy.length;
      if (seen.has(at)) continue;
      seen.add(at);
      copy[at] = (copy[at] ?? 0) ^ flip;
    }
    return copy;
  }
  const signatureBytes = (message: HttpMessage & { headers: Record<string, string> }) =>
    Buffer.from((message.headers['signature'] ?? '').slice('sig1=:'.length, -1), 'base64');

  const cases = [
    ['Ed25519', ed25519, 300],
    ['ECDSA P-521 (DER)', generateKeyPairSync('ec', { namedCurve: 'P-521' }), 50],
  ] as const;

  it.each(cases)(
    'should never accept a %s request whose body bytes were changed',
    async (_name, pair, numRuns) => {
      const message = await signed(pair.privateKey);
      const body = new TextEncoder().encode(request.body);
      await fc.assert(
        fc.asyncProperty(mutations, async (changes) => {
          const verdict = await verify(
            { ...message, body: mutate(body, changes) },
            { keys: pair.publicKey },
          );
          expect(verdict).toMatchObject({ ok: false, reason: 'digest_mismatch' });
        }),
        { numRuns },
      );
    },
  );

  it.each(cases)(
    'should never accept a %s request whose body and digest were both replaced',
    async (_name, pair, numRuns) => {
      const message = await signed(pair.privateKey);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (body) => {
          fc.pre(!Buffer.from(body).equals(Buffer.from(request.body)));
          const forged = {
            ...message,
            body,
            headers: { ...message.headers, 'content-digest': await contentDigest(body) },
          };
          expect(await verify(forged, { keys: pair.publicKey })).toMatchObject({
            ok: false,
            reason: 'bad_signature',
          });
        }),
        { numRuns },
      );
    },
  );

  it.each(cases)(
    'should never accept a %s signature whose bytes were changed',
    async (_name, pair, numRuns) => {
      const message = await signed(pair.privateKey);
      const bytes = signatureBytes(message);
      await fc.assert(
        fc.asyncProperty(mutations, async (changes) => {
          const forged = `sig1=:${Buffer.from(mutate(bytes, changes)).toString('base64')}:`;
          const verdict = await verify(
            { ...message, headers: { ...message.headers, signature: forged } },
            { keys: pair.publicKey },
          );
          expect(verdict).toMatchObject({ ok: false, reason: 'bad_signature' });
        }),
        { numRuns },
      );
    },
  );

  it('should never accept a signature cut short or extended', async () => {
    const bytes = signatureBytes(original);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.uint8Array({ maxLength: 4 }),
        async (cut, tail) => {
          const forged = Buffer.concat([bytes.subarray(0, cut), tail]);
          fc.pre(!forged.equals(bytes));
          const verdict = await verify(
            withHeaders({ signature: `sig1=:${forged.toString('base64')}:` }),
          );
          expect(verdict.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('verifyRequestSignature: what a refusal says', () => {
  const lookupFails = () => {
    throw new Error('key service down');
  };
  it.each<[string, () => HttpMessage, Partial<VerifySignatureOptions>, string, string]>([
    [
      'a signature-input without a signature',
      () => withHeaders({ signature: undefined }),
      {},
      'missing_signature',
      'the signature and signature-input headers are required',
    ],
    [
      'an empty signature-input',
      () => withHeaders({ 'signature-input': '' }),
      {},
      'missing_signature',
      'no signature labelled (none)',
    ],
    [
      'a label only in signature-input',
      () => inputWith('sig1=', 'sig2='),
      {},
      'missing_signature',
      'no signature labelled sig2 in both',
    ],
    [
      'a well-formed input beside a signature field that does not parse',
      () => withHeaders({ signature: 'sig1=:AA' }),
      {},
      'malformed_signature_header',
      'sig',
    ],
    [
      'a member of signature that is not a byte sequence',
      () => withHeaders({ signature: 'sig1="abc"' }),
      {},
      'malformed_signature_header',
      'sig1: ',
    ],
    [
      'a member of signature-input that is not an inner list',
      () => withHeaders({ 'signature-input': 'sig1="@method"' }),
      {},
      'malformed_signature_header',
      'sig1: ',
    ],
    [
      'two required parameters missing',
      () => inputWith(`;nonce="n"`, ''),
      { requiredParameters: ['nonce', 'alg'] },
      'malformed_signature_header',
      'signature-input lacks nonce, alg',
    ],
    [
      'two required components not covered',
      () => original,
      { requiredComponents: ['@authority', 'authorization'] },
      'missing_required_component',
      'the signature must cover @authority, authorization',
    ],
    [
      'a signature older than maxAgeSeconds',
      () => original,
      { now: () => CREATED + 9, maxAgeSeconds: 3 },
      'expired',
      'created 9 s ago, more than 3 s',
    ],
    [
      'a bounded age without created',
      () => inputWith(`;created=${CREATED}`, ''),
      { maxAgeSeconds: 3600 },
      'expired',
      'the signature has no created time, so its age cannot be held to 3600 s',
    ],
    [
      'an expired signature',
      () => original,
      { now: () => CREATED + 16 },
      'expired',
      `expired at ${CREATED + 10}, now is ${CREATED + 16}`,
    ],
    [
      'a signature from the future',
      () => original,
      { now: () => CREATED - 6 },
      'created_in_future',
      `created ${CREATED} is after now (${CREATED - 6})`,
    ],
    [
      'a key lookup that throws',
      () => original,
      { keys: lookupFails },
      'unknown_key',
      'the key lookup failed',
    ],
    [
      'an unknown keyid',
      () => inputWith('keyid="k1"', 'keyid="k9"'),
      {},
      'unknown_key',
      'no key is known for keyid "k9"',
    ],
    [
      'a keyid missing from a key map',
      () => original,
      { keys: new Map([['other', ed25519.publicKey]]) },
      'unknown_key',
      'no key is known for keyid "k1"',
    ],
    [
      'a key that cannot be read',
      () => original,
      { keys: () => 'not a key' },
      'unknown_key',
      'the key for keyid "k1" could not be read',
    ],
    [
      'an alg this package does not know',
      () => inputWith('keyid="k1"', 'keyid="k1";alg="hs2019"'),
      {},
      'unsupported_algorithm',
      'alg hs2019 is not supported',
    ],
    [
      'an alg other than the configured one',
      () => inputWith('keyid="k1"', 'keyid="k1";alg="ed25519"'),
      { algorithm: 'ecdsa-p521-sha512' },
      'unsupported_algorithm',
      'alg ed25519 is not the accepted algorithm ecdsa-p521-sha512',
    ],
    [
      'a configured algorithm the key does not suit',
      () => original,
      { algorithm: 'ecdsa-p521-sha512' },
      'unsupported_algorithm',
      'ecdsa-p521-sha512 does not suit the key for keyid "k1"',
    ],
  ])('should refuse %s, and say so', async (_name, build, extra, reason, message) => {
    const verdict = await verify(build(), extra);
    expect(verdict).toMatchObject({ ok: false, reason });
    expect((verdict as { message: string }).message).toContain(message);
  });

  it('should accept a signature exactly maxAgeSeconds plus the skew old, and not a second more', async () => {
    expect((await verify(original, { now: () => CREATED + 8, maxAgeSeconds: 3 })).ok).toBe(true);
    expect((await verify(original, { now: () => CREATED + 9, maxAgeSeconds: 3 })).ok).toBe(false);
    expect(
      (await verify(original, { now: () => CREATED + 9, maxAgeSeconds: 3, clockSkewSeconds: 6 }))
        .ok,
    ).toBe(true);
  });

  it('should take a signature without expires as never expiring, unless the age is bounded', async () => {
    const { headers } = await signRequest(request, {
      keyId: 'k1',
      privateKey: ed25519.privateKey,
      created: CREATED,
      components: ['@method', '@path'],
    });
    const lasting = { ...request, headers: { ...request.headers, ...headers } };
    expect((await verify(lasting, { now: () => CREATED + 86_400 })).ok).toBe(true);
    expect(await verify(lasting, { now: () => CREATED + 86_400, maxAgeSeconds: 60 })).toMatchObject(
      {
        ok: false,
        reason: 'expired',
      },
    );
  });
});

describe('checkSignatureHeaders', () => {
  const keys = (id: string | undefined) => (id === 'k1' ? ed25519.publicKey : undefined);

  it('should pass the headers of a good signature, with or without keys', async () => {
    expect(await checkSignatureHeaders(original, { now: () => CREATED, keys })).toBeUndefined();
    expect(await checkSignatureHeaders(original, { now: () => CREATED })).toBeUndefined();
  });

  it('should refuse a keyid no key answers to when keys are given, before any body is read', async () => {
    const unknown = inputWith('keyid="k1"', 'keyid="k9"');
    expect(await checkSignatureHeaders(unknown, { now: () => CREATED, keys })).toMatchObject({
      reason: 'unknown_key',
    });
    expect(await checkSignatureHeaders(unknown, { now: () => CREATED })).toBeUndefined();
  });

  it('should refuse what the headers alone show: no signature, expired', async () => {
    expect(
      await checkSignatureHeaders(withHeaders({ signature: undefined }), { now: () => CREATED }),
    ).toMatchObject({ reason: 'missing_signature' });
    expect(await checkSignatureHeaders(original, { now: () => CREATED + 16 })).toMatchObject({
      reason: 'expired',
    });
  });
});
