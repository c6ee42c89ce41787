import { domainToUnicode } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePunycode, isValidAceLabel } from './punycode.js';

const text = (points: number[] | undefined) =>
  points === undefined ? undefined : String.fromCodePoint(...points);

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
  it.each([
    ['an ASCII label, which is not its concern', 'tenant', true],
    ['a label that encodes German', 'xn--bcher-kva', true],
    ['a label in capitals', 'XN--BCHER-KVA', true],
    ['Punycode of a control character', 'xn--a', false],
    ['Punycode of ASCII only', 'xn--abc-', false],
    ['Punycode of nothing', 'xn--', false],
    ['not Punycode at all', 'xn--!', false],
  ])('should judge %s: %s', (_name, label, expected) => {
    expect(isValidAceLabel(label)).toBe(expected);
  });
});
