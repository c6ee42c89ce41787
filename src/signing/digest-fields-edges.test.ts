import { describe, expect, it } from 'vitest';
import { contentDigest, legacyDigest, verifyContentDigest, verifyLegacyDigest } from './digest.js';
import { MAX_DIGEST_ENTRIES, readDigestField } from './digest-fields.js';

const body = '{"hello": "world"}';

describe('content-digest: counting members around quoted strings', () => {
  it('should not end a string at an escaped quote, so a comma after it stays inside', async () => {
    // x is the string `a", b`: two members, one comma outside strings.
    const field = `${await contentDigest(body, 'sha-256')}, x="a\\", b"`;
    expect(readDigestField('content-digest', field)).toMatchObject({ ok: true });
    expect(await verifyContentDigest(body, field)).toBe('match');
  });

  it('should still count a comma after a string that ends in an escaped backslash', async () => {
    // x is the string `a\`, then a second sha-256 member: a repeat, however it is spelled.
    const digest = await contentDigest(body, 'sha-256');
    expect(await verifyContentDigest(body, `${digest}, x="a\\\\", ${digest}`)).toBe('malformed');
  });
});

describe('the legacy digest field, at its limits', () => {
  it(`should accept ${MAX_DIGEST_ENTRIES} entries, and refuse one more`, async () => {
    const others = ['MD5=AAAA', 'X-A=AAAA', 'X-B=AAAA', 'X-C=AAAA'];
    const sha256 = await legacyDigest(body);
    const field = (count: number) => [sha256, ...others].slice(0, count).join(', ');
    const four = field(MAX_DIGEST_ENTRIES);
    const five = field(MAX_DIGEST_ENTRIES + 1);
    expect(await verifyLegacyDigest(body, four)).toBe('match');
    expect(await verifyLegacyDigest(body, five)).toBe('malformed');
  });

  it('should refuse a field in which an algorithm it skips has base64 with stray bits', async () => {
    const field = `${await legacyDigest(body)}, MD5=AB==`;
    expect(readDigestField('digest', field)).toEqual({ ok: false, check: 'malformed' });
    expect(await verifyLegacyDigest(body, field)).toBe('malformed');
  });
});
