import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webhookCategories, webhookEventTypes } from '../../generated/constants.js';
import { checkCategories, isWebhookCategory } from './categories.js';
import { ruleCodes } from './codes.js';

/** A list with holes, as JavaScript (never JSON) can build it. */
function sparse(length: number, items: Record<number, unknown>): unknown[] {
  const list: unknown[] = new Array<unknown>(length);
  for (const [index, item] of Object.entries(items)) list[Number(index)] = item;
  return list;
}

const issuesOf = (value: unknown) =>
  checkCategories(value, '/type').map(({ code, path }) => [code, path]);

/** [why, type]: accepted. */
const valid: [string, unknown[]][] = [
  ['ALL alone, the spec default (R7)', ['ALL']],
  ['one category, the registration example (R7)', ['USER']],
  ['several categories (R7)', ['USER', 'ORDER', 'FEE_COLLECTION']],
  ['every category but ALL (R7)', [...webhookCategories.slice(1)]],
  ['a category without documented events (R7)', ['CORPORATE_ACTION']],
];

/** [why, type, expected [code, path] pairs]: rejected. */
const invalid: [string, unknown, [string, string][]][] = [
  ['an empty list (R7)', [], [['type.empty', '/type']]],
  ['an unknown category (R7)', ['USERS'], [['type.unknown_category', '/type/0']]],
  [
    'an event type instead of a category (R7)',
    ['USER.CREATED'],
    [['type.unknown_category', '/type/0']],
  ],
  ['a lower-case category (R7)', ['user'], [['type.unknown_category', '/type/0']]],
  ['a category with white space (R7)', [' USER'], [['type.unknown_category', '/type/0']]],
  ['an empty string (R7)', [''], [['type.unknown_category', '/type/0']]],
  ['a number in the list (R7)', [1], [['type.unknown_category', '/type/0']]],
  ['null in the list (R7)', [null], [['type.unknown_category', '/type/0']]],
  ['a nested list (R7)', [['USER']], [['type.unknown_category', '/type/0']]],
  [
    'a hole in a sparse list (R7)',
    sparse(2, { 1: 'USER' }),
    [['type.unknown_category', '/type/0']],
  ],
  [
    'an unknown category after known ones (R7)',
    ['USER', 'ORDER', 'SAVINGS_PLAN'],
    [['type.unknown_category', '/type/2']],
  ],
  ['a duplicate (R7)', ['USER', 'ORDER', 'USER'], [['type.duplicate_category', '/type/2']]],
  [
    'a category listed three times (R7)',
    ['USER', 'USER', 'USER'],
    [
      ['type.duplicate_category', '/type/1'],
      ['type.duplicate_category', '/type/2'],
    ],
  ],
  ['ALL with others (R7)', ['ALL', 'USER'], [['type.all_with_others', '/type']]],
  ['others before ALL (R7)', ['USER', 'ORDER', 'ALL'], [['type.all_with_others', '/type']]],
  [
    'ALL twice (R7)',
    ['ALL', 'ALL'],
    [
      ['type.duplicate_category', '/type/1'],
      ['type.all_with_others', '/type'],
    ],
  ],
  [
    'ALL with an unknown category (R7)',
    ['ALL', 'USERS'],
    [
      ['type.unknown_category', '/type/1'],
      ['type.all_with_others', '/type'],
    ],
  ],
  ['a string', 'USER', [['type.not_an_array', '/type']]],
  ['null', null, [['type.not_an_array', '/type']]],
  ['an object', { 0: 'USER', length: 1 }, [['type.not_an_array', '/type']]],
  ['a set', new Set(['USER']), [['type.not_an_array', '/type']]],
];

describe('checkCategories', () => {
  it.each(valid)('should accept %s', (_name, type) => {
    expect(checkCategories(type, '/type')).toEqual([]);
  });

  it.each(webhookCategories)('should accept the category %s on its own (R7)', (category) => {
    expect(checkCategories([category], '/type')).toEqual([]);
  });

  it.each(invalid)('should reject %s', (_name, type, expected) => {
    expect(issuesOf(type)).toEqual(expected);
  });

  it('should produce every type.* code of the catalogue in some table row', () => {
    const produced = new Set(invalid.flatMap(([, , expected]) => expected.map(([code]) => code)));
    const catalogued = Object.keys(ruleCodes).filter((code) => code.startsWith('type.'));
    expect(catalogued.filter((code) => !produced.has(code))).toEqual([]);
  });

  it('should escape the path it was given per RFC 6901', () => {
    expect(checkCategories(['USERS'], '/a~b/c')[0]?.path).toBe('/a~b/c/0');
  });

  it('should not throw on a list that throws when read', () => {
    const revocable = Proxy.revocable(['USER'], {});
    revocable.revoke();
    const hostile = new Proxy(['USER'], {
      get() {
        throw new Error('boom');
      },
    });
    expect(issuesOf(revocable.proxy)).toEqual([['type.not_an_array', '/type']]);
    expect(issuesOf(hostile)).toEqual([['type.not_an_array', '/type']]);
  });

  it('should accept any non-empty set of distinct categories without ALL (R7)', () => {
    const categories = webhookCategories.filter((category) => category !== 'ALL');
    fc.assert(
      fc.property(fc.shuffledSubarray([...categories], { minLength: 1 }), (type) => {
        expect(checkCategories(type, '/type')).toEqual([]);
      }),
    );
  });

  it('should reject ALL next to any other category (R7)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...webhookCategories.slice(1)], { minLength: 1 }),
        fc.nat(),
        (others, at) => {
          const type = [...others];
          type.splice(at % (type.length + 1), 0, 'ALL');
          expect(checkCategories(type, '/type').map((issue) => issue.code)).toEqual([
            'type.all_with_others',
          ]);
        },
      ),
    );
  });
});

describe('isWebhookCategory', () => {
  it('should know the 27 categories of the spec', () => {
    expect(webhookCategories).toHaveLength(27);
    expect(webhookCategories.every(isWebhookCategory)).toBe(true);
  });

  it.each([...webhookEventTypes.slice(0, 5), 'user', 'All', '', 42, null, undefined, {}])(
    'should refuse %j',
    (value) => {
      expect(isWebhookCategory(value)).toBe(false);
    },
  );

  it('should accept exactly the listed strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...webhookCategories)), (value) => {
        expect(isWebhookCategory(value)).toBe(
          (webhookCategories as readonly string[]).includes(value),
        );
      }),
    );
  });
});
