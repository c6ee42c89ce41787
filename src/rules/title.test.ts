import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkTitle, MAX_TITLE_LENGTH } from './title.js';
import { ruleCases, type RuleCase } from '../testing/rule-cases.js';

/** The rows of the shared rule table for one field: accepted or refused. */
const rows = (field: RuleCase['field'], accepted: boolean) =>
  ruleCases.filter((row) => row.field === field && (row.codes.length === 0) === accepted);

const codesOf = (value: unknown) => checkTitle(value, '/title').map((issue) => issue.code);

/** [why, title]: accepted. */
const valid = rows('title', true).map((row): [string, string] => [row.name, row.value as string]);

/** [why, title, expected code]: rejected. */
const invalid = rows('title', false).map((row): [string, unknown, string] => [
  row.name,
  row.value,
  row.codes[0] ?? '',
]);

describe('checkTitle', () => {
  it.each(valid)('should accept %s', (_name, title) => {
    expect(checkTitle(title, '/title')).toEqual([]);
  });

  it.each(invalid)('should reject %s', (_name, title, code) => {
    expect(codesOf(title)).toEqual([code]);
  });

  it('should produce every title.* code of the catalogue in some table row', () => {
    const produced = new Set(invalid.map(([, , code]) => code));
    const catalogued = Object.keys(ruleCodes).filter((code) => code.startsWith('title.'));
    expect(catalogued.filter((code) => !produced.has(code))).toEqual([]);
  });

  it('should count code points exactly as JSON Schema maxLength does (R9)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 150 }), (title) => {
        expect(checkTitle(title, '').length === 0).toBe([...title].length <= MAX_TITLE_LENGTH);
      }),
    );
  });

  it('should keep its message short whatever the title', () => {
    const [issue] = checkTitle('x'.repeat(10_000), '/title');
    expect(issue?.message.length).toBeLessThan(200);
  });
});
