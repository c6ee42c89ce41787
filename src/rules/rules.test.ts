import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webhookCategories } from '../../generated/constants.js';
import { checkCategories, isWebhookCategory } from './categories.js';
import { checkDelay } from './delay.js';
import { checkMaxPackageSize } from './package-size.js';
import { checkTitle } from './title.js';

const codesOf = (issues: { code: string }[]) => issues.map((issue) => issue.code);

describe('checkDelay', () => {
  it.each([
    ['1s', 'the smallest delay (R5)'],
    ['2s', 'the registration example (R5)'],
    ['5s', "the spec's example (R5)"],
    ['30s', 'the largest delay (R5)'],
  ])('should accept %s: %s', (delay) => {
    expect(checkDelay(delay, '/config/delay')).toEqual([]);
  });

  it.each([
    ['0s', 'delay.malformed'],
    ['01s', 'delay.malformed'],
    ['100s', 'delay.malformed'],
    ['1.5s', 'delay.malformed'],
    ['5', 'delay.malformed'],
    ['1h', 'delay.malformed'],
    ['5S', 'delay.malformed'],
    [' 5s', 'delay.malformed'],
    ['', 'delay.malformed'],
    ['-5s', 'delay.malformed'],
    ['31s', 'delay.above_maximum'],
    ['99s', 'delay.above_maximum'],
    ['1m', 'delay.minutes_unit'],
    ['99m', 'delay.minutes_unit'],
    [5, 'delay.not_a_string'],
    [null, 'delay.not_a_string'],
  ])('should reject %j with %s (R5)', (delay, code) => {
    expect(codesOf(checkDelay(delay, '/config/delay'))).toEqual([code]);
  });

  it('should accept everything the spec pattern accepts under the spec policy', () => {
    for (const delay of ['31s', '99s', '1m', '99m'])
      expect(checkDelay(delay, '', 'spec')).toEqual([]);
    expect(codesOf(checkDelay('100s', '', 'spec'))).toEqual(['delay.malformed']);
  });

  it('should accept exactly 1s to 30s among all <n>s strings (R5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 200 }), (n) => {
        expect(checkDelay(`${n}s`, '').length === 0).toBe(n >= 1 && n <= 30);
      }),
    );
  });
});

describe('checkMaxPackageSize', () => {
  it.each([100, 10240, 51200, 1048576])('should accept %d bytes (R6)', (size) => {
    expect(checkMaxPackageSize(size, '/config/max_package_size')).toEqual([]);
  });

  it.each([
    [99, 'max_package_size.below_minimum'],
    [0, 'max_package_size.below_minimum'],
    [-1, 'max_package_size.below_minimum'],
    [1048577, 'max_package_size.above_maximum'],
    [1.5, 'max_package_size.not_an_integer'],
    [Number.NaN, 'max_package_size.not_an_integer'],
    [Number.POSITIVE_INFINITY, 'max_package_size.not_an_integer'],
    ['10240', 'max_package_size.not_an_integer'],
  ])('should reject %j with %s (R6)', (size, code) => {
    expect(codesOf(checkMaxPackageSize(size, '/config/max_package_size'))).toEqual([code]);
  });
});

describe('checkCategories', () => {
  it.each([
    [['ALL']],
    [['USER']],
    [['USER', 'ORDER', 'FEE_COLLECTION']],
    [[...webhookCategories.slice(1)]],
  ])('should accept %j (R7)', (type) => {
    expect(checkCategories(type, '/type')).toEqual([]);
  });

  it.each([
    ['an empty list', [], ['type.empty'], ['/type']],
    ['an unknown category', ['USERS'], ['type.unknown_category'], ['/type/0']],
    [
      'an event type instead of a category',
      ['USER.CREATED'],
      ['type.unknown_category'],
      ['/type/0'],
    ],
    ['a lower-case category', ['user'], ['type.unknown_category'], ['/type/0']],
    ['a duplicate', ['USER', 'ORDER', 'USER'], ['type.duplicate_category'], ['/type/2']],
    ['ALL with others', ['ALL', 'USER'], ['type.all_with_others'], ['/type']],
    ['a string', 'USER', ['type.not_an_array'], ['/type']],
    ['a number in the list', [1], ['type.unknown_category'], ['/type/0']],
  ])('should reject %s (R7)', (_name, type, codes, paths) => {
    const issues = checkCategories(type, '/type');
    expect(codesOf(issues)).toEqual(codes);
    expect(issues.map((issue) => issue.path)).toEqual(paths);
  });

  it('should know the 27 categories of the spec and nothing else', () => {
    expect(webhookCategories.every(isWebhookCategory)).toBe(true);
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(isWebhookCategory(value)).toBe(
          (webhookCategories as readonly string[]).includes(value),
        );
      }),
    );
  });
});

describe('checkTitle', () => {
  it.each([
    ['the documented title', 'User webhook'],
    ['an empty title (R9: optional label)', ''],
    ['100 characters', 'x'.repeat(100)],
    ['100 emoji, one code point each', '🙂'.repeat(100)],
  ])('should accept %s', (_name, title) => {
    expect(checkTitle(title, '/title')).toEqual([]);
  });

  it.each([
    ['101 characters', 'x'.repeat(101), 'title.too_long'],
    ['101 emoji', '🙂'.repeat(101), 'title.too_long'],
    ['a number', 42, 'title.not_a_string'],
  ])('should reject %s (R9)', (_name, title, code) => {
    expect(codesOf(checkTitle(title, '/title'))).toEqual([code]);
  });
});

describe('all rules', () => {
  const rules = [checkDelay, checkMaxPackageSize, checkCategories, checkTitle];

  it('should never throw and give the path they were given, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...rules), (value, rule) => {
        for (const issue of rule(value, '/x')) expect(issue.path.startsWith('/x')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
