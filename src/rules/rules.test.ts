import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointer, type ValidationIssue } from '../validation-issue.js';
import { checkCategories } from './categories.js';
import { ruleCodes } from './codes.js';
import { checkDelay } from './delay.js';
import { checkMaxPackageSize } from './package-size.js';
import { checkTitle } from './title.js';
import { checkWebhookUrl } from './url.js';

type Rule = (value: unknown, path: string) => ValidationIssue[];

const rules: [string, Rule][] = [
  ['checkWebhookUrl', checkWebhookUrl],
  ['checkDelay', checkDelay],
  ['checkMaxPackageSize', checkMaxPackageSize],
  ['checkCategories', checkCategories],
  ['checkTitle', checkTitle],
];

/** RFC 6901: `''` or a sequence of `/token`, `~` only as `~0` or `~1`. */
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** A JSON Pointer built from arbitrary tokens, `/`, `~` and all. */
const basePointer = fc
  .array(fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 20 })), { maxLength: 3 })
  .map((tokens) => tokens.reduce<string>((base, token) => pointer(base, token), ''));

/** Values a JavaScript caller (not only JSON) can hand in. */
const anyValue = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  }),
  fc.string({ unit: 'binary' }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.webUrl(),
);

function hostileValues(): unknown[] {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revocableList = Proxy.revocable([], {});
  revocableList.revoke();
  const throwing = new Proxy([], {
    get() {
      throw new Error('boom');
    },
    getPrototypeOf() {
      throw new Error('boom');
    },
  });
  return [
    JSON.parse('{"__proto__": {"polluted": true}}'),
    JSON.parse('["__proto__"]'),
    Object.create(null),
    {
      toString() {
        throw new Error('boom');
      },
      valueOf() {
        throw new Error('boom');
      },
    },
    {
      [Symbol.toPrimitive]() {
        throw new Error('boom');
      },
    },
    Object.defineProperty([], 0, {
      get() {
        throw new Error('boom');
      },
    }),
    revocable.proxy,
    revocableList.proxy,
    throwing,
    Symbol('delay'),
    10n ** 400n,
    () => 'https://tenant.tld/',
    new Array(1_000_000),
    'x'.repeat(5_000_000),
    `https://${'a.'.repeat(2_000_000)}tld/`,
    `${'9'.repeat(100_000)}s`,
    '\ud800'.repeat(1000),
  ];
}

describe('every rule', () => {
  it.each(rules)('%s should never throw, whatever a caller hands in', (_name, rule) => {
    fc.assert(
      fc.property(anyValue, (value) => {
        rule(value, '/x');
      }),
      { numRuns: 300 },
    );
    for (const value of hostileValues()) expect(() => rule(value, '/x')).not.toThrow();
  });

  it.each(rules)(
    '%s should give catalogued codes, short messages and JSON Pointers under its path',
    (_name, rule) => {
      fc.assert(
        fc.property(anyValue, basePointer, (value, base) => {
          for (const issue of rule(value, base)) {
            expect(issue.path).toMatch(JSON_POINTER);
            expect(issue.path === base || issue.path.startsWith(`${base}/`)).toBe(true);
            expect(Object.hasOwn(ruleCodes, issue.code)).toBe(true);
            expect(typeof issue.message).toBe('string');
            expect(issue.message.length).toBeGreaterThan(0);
            expect(issue.message.length).toBeLessThan(400);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each(rules)('%s should reject every value of a JSON type it never takes', (_name, rule) => {
    // No rule accepts these: no field is a boolean, null, an object or a fraction.
    const wrongType = fc.oneof(
      fc.boolean(),
      fc.constant(null),
      fc.object(),
      fc.double().filter((x) => !Number.isInteger(x)),
    );
    fc.assert(
      fc.property(wrongType, basePointer, (value, base) => {
        const issues = rule(value, base);
        expect(issues.length).toBeGreaterThanOrEqual(1);
        expect(issues.every((issue) => JSON_POINTER.test(issue.path))).toBe(true);
      }),
    );
  });

  it('should not pollute any prototype', () => {
    for (const [, rule] of rules) for (const value of hostileValues()) rule(value, '/x');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
