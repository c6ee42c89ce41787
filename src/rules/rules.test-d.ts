import { describe, expectTypeOf, it } from 'vitest';
import type { ValidationIssue, ValidationResult } from '../validation-issue.js';
import { checkCategories } from './categories.js';
import { ruleCodes, type RuleCode, type RuleSource } from './codes.js';
import { checkDelay, type DelayPolicy } from './delay.js';
import { checkMaxPackageSize } from './package-size.js';
import { checkTitle } from './title.js';
import { checkWebhookUrl, validateWebhookUrl } from './url.js';

type Rule = (value: unknown, path: string) => ValidationIssue[];

describe('rule signatures', () => {
  it('should take any value and a JSON Pointer, and return issues', () => {
    expectTypeOf(checkWebhookUrl).toEqualTypeOf<Rule>();
    expectTypeOf(checkMaxPackageSize).toEqualTypeOf<Rule>();
    expectTypeOf(checkCategories).toEqualTypeOf<Rule>();
    expectTypeOf(checkTitle).toEqualTypeOf<Rule>();
    expectTypeOf(checkDelay).toExtend<Rule>();
  });

  it('should take an optional delay policy of two values', () => {
    expectTypeOf(checkDelay).parameter(2).toEqualTypeOf<DelayPolicy | undefined>();
    expectTypeOf<DelayPolicy>().toEqualTypeOf<'docs' | 'spec'>();
  });

  it('should validate a URL into a string result', () => {
    expectTypeOf(validateWebhookUrl).parameters.toEqualTypeOf<[url: string]>();
    expectTypeOf(validateWebhookUrl).returns.toEqualTypeOf<ValidationResult<string>>();
  });
});

describe('RuleCode', () => {
  it('should be a union of literal codes, not string', () => {
    expectTypeOf<'url.ip_host'>().toExtend<RuleCode>();
    expectTypeOf<'delay.above_maximum'>().toExtend<RuleCode>();
    expectTypeOf<string>().not.toExtend<RuleCode>();
    expectTypeOf<'url.ipHost'>().not.toExtend<RuleCode>();
  });

  it('should keep each entry literal', () => {
    expectTypeOf(ruleCodes['url.ip_host'].rule).toEqualTypeOf<'R2'>();
    expectTypeOf(ruleCodes['url.too_long'].rule).toEqualTypeOf<'schema'>();
    expectTypeOf<(typeof ruleCodes)[RuleCode]['rule']>().toExtend<RuleSource>();
  });
});
