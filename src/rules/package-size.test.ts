import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkMaxPackageSize, MAX_PACKAGE_SIZE, MIN_PACKAGE_SIZE } from './package-size.js';
import { ruleCases, type RuleCase } from '../testing/rule-cases.js';

/** The rows of the shared rule table for one field: accepted or refused. */
const rows = (field: RuleCase['field'], accepted: boolean) =>
  ruleCases.filter((row) => row.field === field && (row.codes.length === 0) === accepted);

const codesOf = (value: unknown) =>
  checkMaxPackageSize(value, '/config/max_package_size').map((issue) => issue.code);

/** [size, why]: accepted. */
const valid = rows('config.max_package_size', true).map((row): [number, string] => [
  row.value as number,
  row.name,
]);

/** [size, expected code, why]: rejected. */
const invalid = rows('config.max_package_size', false).map((row): [unknown, string, string] => [
  row.value,
  row.codes[0] ?? '',
  row.name,
]);

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
