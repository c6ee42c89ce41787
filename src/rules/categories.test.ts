import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webhookCategories, webhookEventTypes } from '../../generated/constants.js';
import { checkCategories, isWebhookCategory } from './categories.js';
import { ruleCodes } from './codes.js';
import { ruleCases, type RuleCase } from '../testing/rule-cases.js';

/** The rows of the shared rule table for one field: accepted or refused. */
const rows = (field: RuleCase['field'], accepted: boolean) =>
  ruleCases.filter((row) => row.field === field && (row.codes.length === 0) === accepted);

const issuesOf = (value: unknown) =>
  checkCategories(value, '/type').map(({ code, path }) => [code, path]);

/** [why, type]: accepted. */
const valid = rows('type', true).map((row): [string, unknown[]] => [
  row.name,
  row.value as unknown[],
]);

/** [why, type, expected [code, path] pairs]: rejected. */
const invalid = rows('type', false).map((row): [string, unknown, [string, string][]] => [
  row.name,
  row.value,
  row.codes.map((code, i): [string, string] => [code, row.paths?.[i] ?? '']),
]);

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
