import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkDelay, MAX_DELAY_SECONDS } from './delay.js';
import { ruleCases, type RuleCase } from '../testing/rule-cases.js';

/** The rows of the shared rule table for one field: accepted or refused. */
const rows = (field: RuleCase['field'], accepted: boolean) =>
  ruleCases.filter((row) => row.field === field && (row.codes.length === 0) === accepted);

const codesOf = (value: unknown, policy?: 'docs' | 'spec') =>
  checkDelay(value, '/config/delay', policy).map((issue) => issue.code);

/** [delay, why]: accepted under the default (docs) policy. */
const valid = rows('config.delay', true).map((row): [string, string] => [
  row.value as string,
  row.name,
]);

/** [delay, expected code, why]: rejected under the default (docs) policy. */
const invalid = rows('config.delay', false).map((row): [unknown, string, string] => [
  row.value,
  row.codes[0] ?? '',
  row.name,
]);

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
