import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import { checkTitle, MAX_TITLE_LENGTH } from './title.js';

const codesOf = (value: unknown) => checkTitle(value, '/title').map((issue) => issue.code);

/** [why, title]: accepted. */
const valid: [string, string][] = [
  ['the documented title', 'User webhook'],
  ['the title of the prose', 'User Webhook'],
  ['an empty title (R9: an optional label)', ''],
  ['a white-space-only title (R9: an optional label)', '   '],
  ['one character', 'x'],
  ['100 characters', 'x'.repeat(100)],
  ['100 emoji, one code point and two UTF-16 units each', '🙂'.repeat(100)],
  ['100 accented letters', 'é'.repeat(100)],
  ['99 letters and an emoji', `${'x'.repeat(99)}🙂`],
  ['a title with a newline', 'User\nwebhook'],
];

/** [why, title, expected code]: rejected. */
const invalid: [string, unknown, string][] = [
  ['101 characters (R9)', 'x'.repeat(101), 'title.too_long'],
  ['101 emoji (R9)', '🙂'.repeat(101), 'title.too_long'],
  ['50 flags of two code points each (R9)', '🇩🇪'.repeat(51), 'title.too_long'],
  [
    'letters with combining accents, counted per code point (R9)',
    'e\u0301'.repeat(51),
    'title.too_long',
  ],
  ['a 10 MB title (R9)', 'x'.repeat(10_000_000), 'title.too_long'],
  ['a number', 42, 'title.not_a_string'],
  ['null', null, 'title.not_a_string'],
  ['a list', ['User webhook'], 'title.not_a_string'],
];

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
