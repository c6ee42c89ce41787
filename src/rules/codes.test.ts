import { describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../validation-issue.js';
import { checkCategories } from './categories.js';
import { ruleCodes, type RuleCode } from './codes.js';
import { checkDelay } from './delay.js';
import { checkMaxPackageSize } from './package-size.js';
import { checkTitle } from './title.js';
import { checkWebhookUrl } from './url.js';

type Rule = (value: unknown, path: string) => ValidationIssue[];

/** One input per code: [code, rule, input]. The per-rule test files hold the full tables. */
const oneCasePerCode: [RuleCode, Rule, unknown][] = [
  ['url.not_a_string', checkWebhookUrl, 42],
  ['url.too_long', checkWebhookUrl, `https://tenant.tld/${'p'.repeat(1000)}`],
  ['url.whitespace_or_control', checkWebhookUrl, 'https://tenant.tld/ho\tok'],
  ['url.malformed', checkWebhookUrl, 'https:tenant.tld/hook'],
  ['url.scheme_not_https', checkWebhookUrl, 'http://tenant.tld/hook'],
  ['url.userinfo', checkWebhookUrl, 'https://user:secret@tenant.tld/hook'],
  ['url.fragment', checkWebhookUrl, 'https://tenant.tld/hook#x'],
  ['url.ip_host', checkWebhookUrl, 'https://0300.0250.0.1/hook'],
  ['url.single_label_host', checkWebhookUrl, 'https://localhost/hook'],
  ['url.reserved_host', checkWebhookUrl, 'https://printer.local/hook'],
  ['url.invalid_host', checkWebhookUrl, 'https://a_b.tenant.tld/hook'],
  ['delay.not_a_string', checkDelay, 5],
  ['delay.malformed', checkDelay, '01s'],
  ['delay.minutes_unit', checkDelay, '1m'],
  ['delay.above_maximum', checkDelay, '31s'],
  ['max_package_size.not_an_integer', checkMaxPackageSize, 1.5],
  ['max_package_size.below_minimum', checkMaxPackageSize, 99],
  ['max_package_size.above_maximum', checkMaxPackageSize, 1048577],
  ['type.not_an_array', checkCategories, 'USER'],
  ['type.empty', checkCategories, []],
  ['type.unknown_category', checkCategories, ['USERS']],
  ['type.duplicate_category', checkCategories, ['USER', 'USER']],
  ['type.all_with_others', checkCategories, ['ALL', 'USER']],
  ['title.not_a_string', checkTitle, 1],
  ['title.too_long', checkTitle, 'x'.repeat(101)],
];

describe('ruleCodes', () => {
  it('should have a table row for every catalogued code, and no row for any other', () => {
    expect(oneCasePerCode.map(([code]) => code).sort()).toEqual(Object.keys(ruleCodes).sort());
  });

  it.each(oneCasePerCode)('should be able to produce %s', (code, rule, input) => {
    expect(rule(input, '/x').map((issue) => issue.code)).toEqual([code]);
  });

  it.each(Object.entries(ruleCodes))('should describe %s with a source rule', (code, entry) => {
    expect(code).toMatch(/^(url|delay|max_package_size|type|title)\.[a-z]+(?:_[a-z]+)*$/);
    expect(entry.rule).toMatch(/^(R[1-9]|schema)$/);
    expect(entry.description.length).toBeGreaterThan(10);
    expect(entry.description.length).toBeLessThan(140);
  });
});
