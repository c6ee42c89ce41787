import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes, type RuleCode } from '../rules/codes.js';
import type { ValidationResult } from '../validation-issue.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
} from './webhook.js';

/** The registration example of Upvest's guide (the seed document). */
const seed = {
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '2s', max_package_size: 51200 },
};

const codes = (result: ValidationResult<unknown>) =>
  result.ok ? [] : result.issues.map((i) => i.code);

/** One create body per rule code, each breaking that rule and nothing else. */
const everyRuleCode: Record<RuleCode, unknown> = {
  'url.not_a_string': { ...seed, url: 7 },
  'url.too_long': { ...seed, url: `https://tenant.tld/${'p'.repeat(1000)}` },
  'url.whitespace_or_control': { ...seed, url: 'https://tenant.tld/ho\nok' },
  'url.malformed': { ...seed, url: 'https:tenant.tld/hook' },
  'url.scheme_not_https': { ...seed, url: 'http://tenant.tld/webhooks/users' },
  'url.userinfo': { ...seed, url: 'https://user:pw@tenant.tld/hook' },
  'url.fragment': { ...seed, url: 'https://tenant.tld/hook#x' },
  'url.ip_host': { ...seed, url: 'https://0x7f000001/hook' },
  'url.single_label_host': { ...seed, url: 'https://localhost/hook' },
  'url.reserved_host': { ...seed, url: 'https://hooks.local/hook' },
  'url.invalid_host': { ...seed, url: 'https://a_b.tenant.tld/hook' },
  'delay.not_a_string': { ...seed, config: { delay: 2 } },
  'delay.malformed': { ...seed, config: { delay: '0s' } },
  'delay.minutes_unit': { ...seed, config: { delay: '1m' } },
  'delay.above_maximum': { ...seed, config: { delay: '31s' } },
  'max_package_size.not_an_integer': { ...seed, config: { max_package_size: 1.5 } },
  'max_package_size.below_minimum': { ...seed, config: { max_package_size: 99 } },
  'max_package_size.above_maximum': { ...seed, config: { max_package_size: 1048577 } },
  'type.not_an_array': { ...seed, type: 'USER' },
  'type.empty': { ...seed, type: [] },
  'type.unknown_category': { ...seed, type: ['USERS'] },
  'type.duplicate_category': { ...seed, type: ['USER', 'USER'] },
  'type.all_with_others': { ...seed, type: ['ALL', 'USER'] },
  'title.not_a_string': { ...seed, title: 1 },
  'title.too_long': { ...seed, title: 'x'.repeat(101) },
};

describe('validateCreateWebhook', () => {
  it('should accept the registration example of the seed document', () => {
    expect(validateCreateWebhook(seed)).toEqual({ ok: true, value: seed });
  });

  it('should cover every rule code in the table below', () => {
    expect(Object.keys(everyRuleCode).sort()).toEqual(Object.keys(ruleCodes).sort());
  });

  it.each(Object.entries(everyRuleCode))('should report %s', (code, input) => {
    expect(codes(validateCreateWebhook(input))).toEqual([code]);
  });

  it.each([
    ['a missing url', { title: 'x' }, '/url', 'schema.required'],
    ['a missing title', { url: seed.url }, '/title', 'schema.required'],
    [
      'enabled on create (R8)',
      { ...seed, enabled: true },
      '/enabled',
      'schema.additionalProperties',
    ],
    [
      'an id on create',
      { ...seed, id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a' },
      '/id',
      'schema.additionalProperties',
    ],
    ['a non-object body', 'hello', '', 'schema.type'],
    ['null', null, '', 'schema.type'],
    ['an array', [seed], '', 'schema.type'],
  ])('should report %s as a schema issue at its path', (_name, input, path, code) => {
    const result = validateCreateWebhook(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('should report every issue at once', () => {
    const result = validateCreateWebhook({
      url: 'http://10.0.0.1/#x',
      type: ['ALL', 'ALL'],
      config: { delay: '45s', max_package_size: 50 },
      enabled: true,
    });
    expect(codes(result).sort()).toEqual(
      [
        'schema.required',
        'schema.additionalProperties',
        'url.scheme_not_https',
        'url.ip_host',
        'url.fragment',
        'type.duplicate_category',
        'type.all_with_others',
        'delay.above_maximum',
        'max_package_size.below_minimum',
      ].sort(),
    );
  });

  it('should let the spec delay policy accept what the 1.9.0 schema accepts', () => {
    const input = { ...seed, config: { delay: '5m' } };
    expect(validateCreateWebhook(input).ok).toBe(false);
    expect(validateCreateWebhook(input, { delayPolicy: 'spec' }).ok).toBe(true);
  });

  it('should reject a __proto__ key without polluting any prototype', () => {
    const input: unknown = JSON.parse(
      '{"title":"t","url":"https://tenant.tld/h","__proto__":{"polluted":true}}',
    );
    const result = validateCreateWebhook(input);
    expect(codes(result)).toContain('schema.additionalProperties');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('validateUpdateWebhook', () => {
  it.each([
    ['an empty update', {}],
    ['enabling', { enabled: true }],
    ["the spec's update example", { url: 'https://tenant.tld/webhooks/users', type: ['USER'] }],
  ])('should accept %s', (_name, input) => {
    expect(validateUpdateWebhook(input).ok).toBe(true);
  });

  it.each([
    [
      'read-only fields from the docs example',
      { id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a', created_at: '2021-07-21T14:10:00.00Z' },
      'schema.additionalProperties',
    ],
    ['an http URL (R1)', { url: 'http://tenant.tld/' }, 'url.scheme_not_https'],
    ['a string for enabled', { enabled: 'true' }, 'schema.type'],
    ['a delay of 31s (R5)', { config: { delay: '31s' } }, 'delay.above_maximum'],
  ])('should reject %s', (_name, input, code) => {
    expect(codes(validateUpdateWebhook(input))).toContain(code);
  });
});

describe('validateListQuery and validateWebhookId', () => {
  it.each([
    [{}, true],
    [{ sort: 'title', order: 'DESC', offset: 0, limit: 1000 }, true],
    [{ limit: 1001 }, false],
    [{ offset: -1 }, false],
    [{ sort: 'id' }, false],
    [{ order: 'asc' }, false],
    [{ page: 2 }, false],
  ])('should judge the list query %j valid: %s', (query, ok) => {
    expect(validateListQuery(query).ok).toBe(ok);
  });

  it.each([
    ['a8eb3540-5a84-40f9-b2bb-7f99f282fc5a', true],
    ['A8EB3540-5A84-40F9-B2BB-7F99F282FC5A', true],
    ['../auth/token', false],
    ['a8eb3540-5a84-40f9-b2bb-7f99f282fc5a/test', false],
    ['', false],
    [42, false],
  ])('should judge the webhook id %j valid: %s', (id, ok) => {
    expect(validateWebhookId(id).ok).toBe(ok);
  });
});

describe('validator properties', () => {
  const isPointer = (path: string) => path === '' || /^(\/([^~/]|~[01])*)+$/.test(path);

  const validators: [string, (input: unknown) => ValidationResult<unknown>][] = [
    ['validateCreateWebhook', validateCreateWebhook],
    ['validateUpdateWebhook', validateUpdateWebhook],
  ];
  it.each(validators)(
    '%s should never throw, and any failure has issues with JSON Pointer paths',
    (_name, validate) => {
      const body = fc.record(
        {
          title: fc.oneof(fc.string(), fc.anything()),
          url: fc.oneof(fc.webUrl(), fc.string(), fc.anything()),
          type: fc.oneof(fc.array(fc.constantFrom('ALL', 'USER', 'ORDER', 'NOPE')), fc.anything()),
          config: fc.oneof(
            fc.record({ delay: fc.string(), max_package_size: fc.integer() }, { requiredKeys: [] }),
            fc.anything(),
          ),
          enabled: fc.anything(),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.oneof(body, fc.anything()), (input) => {
          const result = validate(input);
          if (!result.ok) {
            expect(result.issues.length).toBeGreaterThan(0);
            for (const issue of result.issues) {
              expect(isPointer(issue.path), issue.path).toBe(true);
              expect(issue.code).toMatch(/^[a-z_]+\.[a-zA-Z_]+$/);
            }
          }
        }),
        { numRuns: 1000 },
      );
    },
  );
});
