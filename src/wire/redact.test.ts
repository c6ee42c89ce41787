import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secretSpellings } from '../test-support/secret-spellings.js';
import { createRedactor, redactSecrets } from './redact.js';

/** Secrets as random as a client secret can be: every reserved character, spaces, any Unicode. */
const secrets = fc.oneof(
  fc
    .string({
      unit: fc.constantFrom(...'+/=~ %&?#"\\\'<>:;@,[]{}!$*()|^`'.split('')),
      minLength: 1,
    })
    .chain((reserved) =>
      fc
        .string({ unit: 'grapheme-ascii', minLength: 6, maxLength: 40 })
        .map((base) => `${base}${reserved}${base}`),
    ),
  // Any Unicode but line breaks, which no header or form field can carry.
  fc.string({ unit: 'binary', minLength: 8, maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '_')),
  fc.base64String({ minLength: 12, maxLength: 80 }),
);

describe('createRedactor', () => {
  it.each(Object.entries(secretSpellings))(
    'should find a secret with reserved characters spelled as %s',
    (_, spell) => {
      const secret = 'Zm9v+YmFy/c2Vj=cmV0~ a&b"c\\d<e>\'é😀';
      const redact = createRedactor([secret]);

      const out = redact.text(`before ${spell(secret)} after`);

      expect(out).toContain('[redacted]');
      expect(out).not.toContain(spell(secret));
      expect(out.startsWith('before ')).toBe(true);
    },
  );

  it('should find any secret in any spelling, embedded in any text', () => {
    fc.assert(
      fc.property(
        secrets,
        fc.constantFrom(...Object.keys(secretSpellings)),
        // A text that ends in an escape's first half (`%`, `\\`, `&`) would glue onto the
        // secret's first character; real texts put a separator there (`=`, `:`, a quote).
        fc.string().filter((before) => !/[%\\&][^\s=:"']{0,6}$/.test(before)),
        fc.string(),
        (secret, spelling, before, after) => {
          const spelled = secretSpellings[spelling]!(secret);
          const out = createRedactor([secret]).text(`${before}${spelled}${after}`);
          expect(out).toContain('[redacted]');
          // The secret's own text is gone; what stands around it may remain.
          if (spelled.length >= 8) expect(out).not.toContain(spelled);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('should leave a text without the secret as it was', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 10 }), fc.string(), (secret, text) => {
        fc.pre(!text.includes(secret));
        expect(createRedactor([secret]).text(text)).toBe(text);
      }),
    );
  });

  it('should ignore undefined and strings too short to be secrets', () => {
    const redact = createRedactor([undefined, 'abc']);

    expect(redact.text('abc and more')).toBe('abc and more');
  });

  it('should replace the longer of two overlapping secrets whole', () => {
    const redact = createRedactor(['secret', 'secret-and-more']);

    expect(redact.text('x secret-and-more y')).toBe('x [redacted] y');
  });

  it('should redact keys and values of nested values, and leave other types alone', () => {
    const secret = 'p@ss word+1';

    const out = createRedactor([secret]).value({
      [secret]: [`a ${encodeURIComponent(secret)}`, 3, null, true],
      nested: { deep: `form: ${new URLSearchParams({ secret }).toString()}` },
    });

    expect(out).toEqual({
      '[redacted]': ['a [redacted]', 3, null, true],
      nested: { deep: 'form: secret=[redacted]' },
    });
  });
});

describe('redactSecrets', () => {
  it('should redact the percent-encoded form of an access token (audit finding 4)', () => {
    const token = 'dG9rZW4+c2VjcmV0/dmFsdWU=';

    const problem = redactSecrets({ detail: `header was Bearer%20${encodeURIComponent(token)}` }, [
      token,
    ]);

    expect(problem.detail).toBe('header was Bearer%20[redacted]');
  });
});
