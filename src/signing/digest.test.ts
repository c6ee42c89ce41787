import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDigest, legacyDigest, verifyContentDigest, verifyLegacyDigest } from './digest.js';
import {
  bodyDigests,
  checkDigestClaims,
  MAX_DIGEST_ENTRIES,
  readDigestField,
} from './digest-fields.js';
import { rfcContentDigests } from './fixtures/rfc9421.js';

describe('contentDigest', () => {
  it.each([
    [
      '{"hello": "world"}',
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    ],
    [
      '{"key": "value"}',
      'sha-512=:Hd9/AvGZkbjitW1+Ml8Fg1ux1mtcDYe6mLQjDyoowIWa3LM/PmwN2v9O+MjtQGrCA3EQWUL54dlgxKHyYbrucw==:',
    ],
  ])('should give the facts-sheet SHA-512 content-digest of %s', async (body, expected) => {
    expect(await contentDigest(body)).toBe(expected);
    expect(await contentDigest(new TextEncoder().encode(body), 'sha-512')).toBe(expected);
    expect(await verifyContentDigest(body, expected)).toBe('match');
  });

  it.each(rfcContentDigests.map((d) => [d.algorithm, JSON.stringify(d.body), d] as const))(
    'should give the RFC %s content-digest of %s',
    async (_algorithm, _body, example) => {
      expect(await contentDigest(example.body, example.algorithm)).toBe(example.value);
    },
  );
});

// The digests the tables below are made of, computed once (the helpers are asynchronous).
const HELLO = '{"hello": "world"}';
const sha256 = await contentDigest(HELLO, 'sha-256');
const sha512 = await contentDigest(HELLO, 'sha-512');
const digestOfEmptyObject = await contentDigest('{}');
const legacyDigestOfEmptyObject = await legacyDigest('{}');

describe('verifyContentDigest', () => {
  const body = HELLO;

  it.each([
    ['both known algorithms', `${sha256}, ${sha512}`, 'match'],
    ['a known and an unknown algorithm', `md5=:AAAA:, ${sha512}`, 'match'],
    ['one wrong algorithm among right ones', `${sha512}, sha-256=:AAAA:`, 'mismatch'],
    ['another body', digestOfEmptyObject, 'mismatch'],
    ['only unknown algorithms', 'sha-384=:AAAA:, md5=:AAAA:', 'unsupported'],
    ['a prototype property name', 'constructor=:AAAA:', 'unsupported'],
    ['a field that is no dictionary', 'sha-512=:AAA', 'malformed'],
    ['a known algorithm whose value is no byte sequence', 'sha-512="abc"', 'malformed'],
  ])('should judge %s as %s', async (_name, field, verdict) => {
    expect(await verifyContentDigest(body, field)).toBe(verdict);
  });

  // Each entry would cost a hash of the body: a field may not make the check cost more.
  it.each([
    ['a repeated algorithm', `${sha512}, ${sha512}`],
    ['the right entry 160 times', Array(160).fill(sha512).join(', ')],
    [
      `more than ${MAX_DIGEST_ENTRIES} entries`,
      `${sha512}, a=:AA==:, b=:AA==:, c=:AA==:, d=:AA==:`,
    ],
    ['a repeated unknown algorithm', `${sha512}, md5=:AA==:, md5=:AA==:`],
  ])('should judge %s as malformed, whatever it claims', async (_name, field) => {
    expect(await verifyContentDigest(body, field)).toBe('malformed');
  });

  it(`should accept ${MAX_DIGEST_ENTRIES} entries, a comma inside a string not counting`, async () => {
    expect(await verifyContentDigest(body, `${sha512}, a=:AA==:, b="x, y", c=:AA==:`)).toBe(
      'match',
    );
  });

  it('should refuse any body that differs from the digested one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 256 }),
        fc.uint8Array({ maxLength: 256 }),
        async (a, b) => {
          const same = Buffer.from(a).equals(Buffer.from(b));
          const verdict = await verifyContentDigest(b, await contentDigest(a));
          expect(verdict).toBe(same ? 'match' : 'mismatch');
        },
      ),
    );
  });
});

describe('legacyDigest and verifyLegacyDigest', () => {
  it.each([
    ['{"hello": "world"}', 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='],
    ['{"key": "value"}', 'SHA-256=lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U='],
  ])('should give the facts-sheet legacy digest of %s', async (body, expected) => {
    expect(await legacyDigest(body)).toBe(expected);
    expect(await verifyLegacyDigest(body, expected)).toBe('match');
  });

  const body = '{"hello": "world"}';
  it.each([
    [
      'a lower-case algorithm name',
      'sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      'match',
    ],
    [
      'SHA-512 next to an unknown algorithm',
      'MD5=AAAA, SHA-512=WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==',
      'match',
    ],
    ['another body', legacyDigestOfEmptyObject, 'mismatch'],
    ['only unknown algorithms', 'MD5=AAAA', 'unsupported'],
    ['the structured form', sha256, 'malformed'],
    [
      'an algorithm repeated in another case',
      'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=, sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      'malformed',
    ],
    // The same bytes, with stray bits in the last character: no digest a signer writes.
    [
      'a non-canonical base64 value',
      'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPF=',
      'malformed',
    ],
  ])('should judge %s as %s', async (_name, field, verdict) => {
    expect(await verifyLegacyDigest(body, field)).toBe(verdict);
  });
});

describe('verifyLegacyDigest: the shape of each member', () => {
  const body = '{"hello": "world"}';
  const good = 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=';
  it.each([
    ['whitespace around a member', ` ${good} `, 'match'],
    ['text after the value', `${good}!!`, 'malformed'],
    ['text before the name', `x ${good}`, 'malformed'],
    ['text after the value and a space', `${good} x`, 'malformed'],
  ])('should read %s as %s', async (_name, field, expected) => {
    expect(await verifyLegacyDigest(body, field)).toBe(expected);
  });
});

describe('the Web Crypto digests a receiver checks with', () => {
  it('should match a field to any body with the same bytes and no other, in either field', async () => {
    const body = fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(
        body,
        body,
        fc.constantFrom('sha-256', 'sha-512'),
        async (a, b, algorithm) => {
          const bytes = (body: string | Uint8Array) =>
            Buffer.from(typeof body === 'string' ? new TextEncoder().encode(body) : body);
          const expected = bytes(a).equals(bytes(b)) ? 'match' : 'mismatch';
          for (const [name, field, check] of [
            ['content-digest', await contentDigest(a, algorithm), verifyContentDigest],
            ['digest', await legacyDigest(a), verifyLegacyDigest],
          ] as const) {
            const read = readDigestField(name, field);
            expect(read.ok).toBe(true);
            if (!read.ok) return;
            expect(await checkDigestClaims(read.claims, bodyDigests(b))).toBe(expected);
            expect(await check(b, field)).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should hash a body once per algorithm however often it is asked', async () => {
    const digests = bodyDigests('{"hello": "world"}');
    expect(digests('sha-512')).toBe(digests('sha-512'));
    expect(Buffer.from(await digests('sha-256')).toString('base64')).toBe(
      'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
    );
  });
});
