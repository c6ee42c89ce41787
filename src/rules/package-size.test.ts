import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkMaxPackageSize, MAX_PACKAGE_SIZE, MIN_PACKAGE_SIZE } from './package-size.js';

const codesOf = (value: unknown) =>
  checkMaxPackageSize(value, '/config/max_package_size').map((issue) => issue.code);

/** [size, why]: accepted. */
const valid: [number, string][] = [
  [100, 'the smallest size (R6)'],
  [101, 'one above the smallest size (R6)'],
  [1024, "the spec's retrieve example (R6)"],
  [10240, "the spec's example, 10 KiB (R6)"],
  [12400, "Upvest's proxy value (R6)"],
  [51200, 'the registration example (R6)'],
  [1048575, 'one below the largest size (R6)'],
  [1048576, 'the largest size, 1 MiB (R6)'],
  [1024.0, 'a whole number written with a fraction (R6)'],
];

/** [size, expected code, why]: rejected. */
const invalid: [unknown, string, string][] = [
  [99, 'max_package_size.below_minimum', 'one below the smallest size (R6)'],
  [0, 'max_package_size.below_minimum', 'zero (R6)'],
  [-0, 'max_package_size.below_minimum', 'negative zero (R6)'],
  [-1, 'max_package_size.below_minimum', 'a negative size (R6)'],
  [Number.MIN_SAFE_INTEGER, 'max_package_size.below_minimum', 'a huge negative size (R6)'],
  [1048577, 'max_package_size.above_maximum', 'one above the largest size (R6)'],
  [2 ** 53, 'max_package_size.above_maximum', 'an unsafe integer (R6)'],
  [1e21, 'max_package_size.above_maximum', 'a number in exponent form (R6)'],
  [1.5, 'max_package_size.not_an_integer', 'a fraction (R6)'],
  [100.0001, 'max_package_size.not_an_integer', 'a fraction just above the minimum (R6)'],
  [Number.NaN, 'max_package_size.not_an_integer', 'NaN'],
  [Number.POSITIVE_INFINITY, 'max_package_size.not_an_integer', 'infinity'],
  [Number.NEGATIVE_INFINITY, 'max_package_size.not_an_integer', 'minus infinity'],
  ['10240', 'max_package_size.not_an_integer', 'a numeric string'],
  [10240n, 'max_package_size.not_an_integer', 'a bigint'],
  [null, 'max_package_size.not_an_integer', 'null'],
  [true, 'max_package_size.not_an_integer', 'a boolean'],
  [[10240], 'max_package_size.not_an_integer', 'a list'],
];

describe('checkMaxPackageSize', () => {
  it.each(valid)('should accept %d bytes: %s', (size) => {
    expect(checkMaxPackageSize(size, '/config/max_package_size')).toEqual([]);
  });

  it.each(invalid)('should reject %s with %s: %s', (size, code) => {
    expect(codesOf(size)).toEqual([code]);
  });

  it('should produce every max_package_size.* code of the catalogue in some table row', () => {
    const produced = new Set(invalid.map(([, code]) => code));
    const catalogued = Object.keys(ruleCodes).filter((code) =>
      code.startsWith('max_package_size.'),
    );
    expect(catalogued.filter((code) => !produced.has(code))).toEqual([]);
  });

  it('should accept exactly the integers within the spec bounds (R6)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: MAX_PACKAGE_SIZE * 2 }), (size) => {
        expect(codesOf(size).length === 0).toBe(
          size >= MIN_PACKAGE_SIZE && size <= MAX_PACKAGE_SIZE,
        );
      }),
    );
  });

  it('should reject every number that is not whole (R6)', () => {
    fc.assert(
      fc.property(
        fc.double().filter((x) => !Number.isInteger(x)),
        (size) => {
          expect(codesOf(size)).toEqual(['max_package_size.not_an_integer']);
        },
      ),
    );
  });
});
