import { createRequire } from 'node:module';
import { domainToUnicode } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePunycode, isValidAceLabel } from './punycode.js';

const text = (points: number[] | undefined) =>
  points === undefined ? undefined : String.fromCodePoint(...points);

/**
 * The reference: Mathias Bynens' punycode.js, the implementation Node itself bundled. Loaded by
 * path with a trailing slash, because a bare `punycode` names Node's deprecated built-in.
 */
const reference = createRequire(import.meta.url)('punycode/') as {
  decode(input: string): string;
  encode(input: string): string;
};
const referenceDecode = (input: string): string | undefined => {
  try {
    return reference.decode(input);
  } catch {
    return undefined;
  }
};

const isHigh = (point: number) => point >= 0xd800 && point <= 0xdbff;
const isLow = (point: number) => point >= 0xdc00 && point <= 0xdfff;
/** Code points, with lone surrogates but never a high one before a low one (that is a pair). */
const codePoints = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        0x00,
        0x1f,
        0x20,
        0x41,
        0x5a,
        0x61,
        0x7a,
        0x7e,
        0x7f,
        0x80,
        0x9f,
        0xa0,
        0xe9,
        0xd7ff,
        0xd800,
        0xdbff,
        0xdc00,
        0xdfff,
        0xe000,
        0xffff,
        0x10000,
        0x10ffff,
      ),
      fc.integer({ min: 0, max: 0x10ffff }),
    ),
    { maxLength: 12 },
  )
  .filter((points) => !points.some((point, i) => isHigh(point) && isLow(points[i + 1] ?? 0)));

describe('decodePunycode', () => {
  it.each([
    ['bcher-kva', 'bücher'],
    ['mnchen-3ya', 'münchen'],
    ['p1ai', 'рф'],
    ['ls8h', '💩'],
    ['-> $1.00 <--', '-> $1.00 <-'],
    ['a', '\u0080'],
  ])('should decode %s as %s (RFC 3492)', (input, expected) => {
    expect(text(decodePunycode(input))).toBe(expected);
  });

  it.each([
    ['a non-ASCII basic code point', 'bü-cher'],
    ['a digit that is no base-36 digit', 'b!'],
    ['a number that ends mid-digit', 'bcher-kv9'],
    ['an overflowing delta', 'zzzzzzzzzzzzzzzzzzzz'],
  ])('should refuse %s', (_name, input) => {
    expect(decodePunycode(input)).toBeUndefined();
  });

  it('should decode whatever the reference encodes, surrogates and controls included', () => {
    fc.assert(
      fc.property(codePoints, (points) => {
        expect(decodePunycode(reference.encode(String.fromCodePoint(...points)))).toEqual(points);
      }),
      { numRuns: 1000 },
    );
  });

  it('should accept and refuse exactly what the reference does, for any text of digits', () => {
    const digits = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-AZ!ü'),
      maxLength: 24,
    });
    fc.assert(
      fc.property(digits, (input) => {
        expect(text(decodePunycode(input))).toBe(referenceDecode(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('should refuse a delta past 2^31 like the reference, before any arithmetic loses precision', () => {
    const input = `${'9'.repeat(8)}a`;
    expect(referenceDecode(input)).toBeUndefined();
    expect(decodePunycode(input)).toBeUndefined();
  });

  it('should decode what the platform encodes, for any label of letters', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...'abcüöäßéèçñøåłžšéπωжяあ'),
          minLength: 1,
          maxLength: 12,
        }),
        (label) => {
          const ascii = new URL(`https://${label}.tld/`).hostname.split('.')[0] ?? '';
          if (!ascii.startsWith('xn--')) return;
          expect(text(decodePunycode(ascii.slice(4)))).toBe(domainToUnicode(ascii));
        },
      ),
    );
  });
});

describe('isValidAceLabel', () => {
  const ace = (points: number[]) => `xn--${reference.encode(String.fromCodePoint(...points))}`;

  it.each([
    ['U+001F, a C0 control', 0x1f, false],
    ['U+0020, a space (a host check of its own)', 0x20, true],
    ['U+007E, a tilde', 0x7e, true],
    ['U+007F, DEL', 0x7f, false],
    ['U+0080, the first C1 control', 0x80, false],
    ['U+009F, the last C1 control', 0x9f, false],
    ['U+00A0, the first code point after them', 0xa0, true],
    ['U+D7FF, the last before the surrogates', 0xd7ff, true],
    ['U+D800, the first surrogate', 0xd800, false],
    ['U+DFFF, the last surrogate', 0xdfff, false],
    ['U+E000, the first after them', 0xe000, true],
  ])('should judge a label of é and %s: %s', (_name, point, expected) => {
    expect(isValidAceLabel(ace([0xe9, point]))).toBe(expected);
  });

  it('should judge any encoded label as its code points say', () => {
    fc.assert(
      fc.property(codePoints, fc.boolean(), (points, upper) => {
        const label = upper ? ace(points).toUpperCase() : ace(points);
        const readable =
          points.some((point) => point >= 0x80) &&
          points.every(
            (point) =>
              point > 0x1f && !(point >= 0x7f && point <= 0x9f) && !(isHigh(point) || isLow(point)),
          );
        // Upper-casing changes the basic (ASCII) code points, never whether they are readable.
        expect(isValidAceLabel(label)).toBe(readable);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['an ASCII label, which is not its concern', 'tenant', true],
    ['a label that encodes German', 'xn--bcher-kva', true],
    ['a label in capitals', 'XN--BCHER-KVA', true],
    ['Punycode of a control character', 'xn--a', false],
    ['Punycode of ASCII only', 'xn--abc-', false],
    ['Punycode of nothing', 'xn--', false],
    ['not Punycode at all', 'xn--!', false],
    ['a label with xn-- inside, which is not its concern', 'a-xn--a', true],
  ])('should judge %s: %s', (_name, label, expected) => {
    expect(isValidAceLabel(label)).toBe(expected);
  });
});
