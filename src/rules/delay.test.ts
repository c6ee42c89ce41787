import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkDelay, MAX_DELAY_SECONDS } from './delay.js';

const codesOf = (value: unknown, policy?: 'docs' | 'spec') =>
  checkDelay(value, '/config/delay', policy).map((issue) => issue.code);

/** [delay, why]: accepted under the default (docs) policy. */
const valid: [string, string][] = [
  ['1s', 'the smallest delay (R5)'],
  ['2s', 'the registration example (R5)'],
  ['5s', "the spec's example (R5)"],
  ['10s', 'a two-digit delay (R5)'],
  ['29s', 'one below the largest delay (R5)'],
  ['30s', 'the largest delay (R5)'],
];

/** [delay, expected code, why]: rejected under the default (docs) policy. */
const invalid: [unknown, string, string][] = [
  ['0s', 'delay.malformed', 'zero seconds (R5)'],
  ['00s', 'delay.malformed', 'a double zero (R5)'],
  ['01s', 'delay.malformed', 'a leading zero (R5)'],
  ['100s', 'delay.malformed', 'three digits (R5)'],
  ['1.5s', 'delay.malformed', 'a fraction (R5)'],
  ['-5s', 'delay.malformed', 'a negative number (R5)'],
  ['+5s', 'delay.malformed', 'a plus sign (R5)'],
  ['5', 'delay.malformed', 'a number without unit (R5)'],
  ['s', 'delay.malformed', 'a unit without number (R5)'],
  ['1h', 'delay.malformed', 'hours (R5)'],
  ['500ms', 'delay.malformed', 'milliseconds (R5)'],
  ['5S', 'delay.malformed', 'an upper-case unit (R5)'],
  ['5 s', 'delay.malformed', 'a space before the unit (R5)'],
  [' 5s', 'delay.malformed', 'a leading space (R5)'],
  ['5s\n', 'delay.malformed', 'a trailing newline (R5)'],
  ['５s', 'delay.malformed', 'a full-width digit (R5)'],
  ['PT5S', 'delay.malformed', 'an ISO 8601 duration (R5)'],
  ['', 'delay.malformed', 'an empty string (R5)'],
  ['31s', 'delay.above_maximum', 'one above the largest delay (R5)'],
  ['45s', 'delay.above_maximum', 'a delay the spec allows (R5)'],
  ['99s', 'delay.above_maximum', 'the largest delay the spec allows (R5)'],
  ['1m', 'delay.minutes_unit', 'one minute (R5)'],
  ['5m', 'delay.minutes_unit', 'five minutes (R5)'],
  ['99m', 'delay.minutes_unit', 'the largest minutes the spec allows (R5)'],
  [5, 'delay.not_a_string', 'a number'],
  [null, 'delay.not_a_string', 'null'],
  [undefined, 'delay.not_a_string', 'undefined'],
  [['5s'], 'delay.not_a_string', 'a list'],
  [{ seconds: 5 }, 'delay.not_a_string', 'an object'],
];

describe('checkDelay', () => {
  it.each(valid)('should accept %s: %s', (delay) => {
    expect(checkDelay(delay, '/config/delay')).toEqual([]);
  });

  it.each(invalid)('should reject %j with %s: %s', (delay, code) => {
    expect(codesOf(delay)).toEqual([code]);
  });

  it('should produce every delay.* code of the catalogue in some table row', () => {
    const produced = new Set(invalid.map(([, code]) => code));
    const catalogued = Object.keys(ruleCodes).filter((code) => code.startsWith('delay.'));
    expect(catalogued.filter((code) => !produced.has(code))).toEqual([]);
  });

  it('should give the path it was given', () => {
    expect(checkDelay('45s', '/config/delay')[0]?.path).toBe('/config/delay');
  });

  it.each(['31s', '99s', '1m', '99m', '30s', '1s'])(
    'should accept %s under the spec policy, as the 1.9.0 pattern does (R5)',
    (delay) => {
      expect(codesOf(delay, 'spec')).toEqual([]);
    },
  );

  it.each(['0s', '100s', '5', '1h', '5S'])(
    'should still reject %s under the spec policy (R5)',
    (delay) => {
      expect(codesOf(delay, 'spec')).toEqual(['delay.malformed']);
    },
  );

  it('should accept exactly 1s to 30s among all <n>s strings (R5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 200 }), (n) => {
        expect(checkDelay(`${n}s`, '').length === 0).toBe(n >= 1 && n <= MAX_DELAY_SECONDS);
      }),
    );
  });

  it('should agree with the spec pattern on every string under the spec policy', () => {
    const pattern = /^[1-9][0-9]?[sm]$/;
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789smhS. '), maxLength: 4 }),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (delay) => {
        expect(checkDelay(delay, '', 'spec').length === 0).toBe(pattern.test(delay));
      }),
    );
  });

  it('should report exactly one issue for any value it rejects', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 5 }), fc.anything()), (value) => {
        expect(checkDelay(value, '/d').length).toBeLessThanOrEqual(1);
      }),
    );
  });
});
