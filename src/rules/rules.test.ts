import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pointer, type ValidationIssue } from '../validation-issue.js';
import { checkCategories } from './categories.js';
import { ruleCodes } from './codes.js';
import { checkDelay, MAX_DELAY_SECONDS } from './delay.js';
import { checkMaxPackageSize, MAX_PACKAGE_SIZE, MIN_PACKAGE_SIZE } from './package-size.js';
import { checkTitle, MAX_TITLE_LENGTH } from './title.js';
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

const revokedList = (): unknown => {
  const { proxy, revoke } = Proxy.revocable([], {});
  revoke();
  return proxy;
};

/** [case, the issues found, [path, code, message] of each]: what a caller reads, word for word. */
const explained: [string, () => ValidationIssue[], [string, string, string][]][] = [
  [
    'type given as a string',
    () => checkCategories('USER', '/type'),
    [
      [
        '/type',
        'type.not_an_array',
        'type must be a list of categories such as ["USER"], got "USER"',
      ],
    ],
  ],
  [
    'type given as a list that throws when read',
    () => checkCategories(revokedList(), '/type'),
    [
      [
        '/type',
        'type.not_an_array',
        'type must be a list of categories such as ["USER"], got a list that cannot be read',
      ],
    ],
  ],
  [
    'an empty type list (R7)',
    () => checkCategories([], '/type'),
    [
      [
        '/type',
        'type.empty',
        'type must list at least one category; use ["ALL"] for every event (R7)',
      ],
    ],
  ],
  [
    'an unknown category, a duplicate and ALL with others (R7)',
    () => checkCategories(['ALL', 'NOPE', 'ALL'], '/type'),
    [
      ['/type/1', 'type.unknown_category', '"NOPE" is not an event category (R7)'],
      ['/type/2', 'type.duplicate_category', 'ALL is listed twice (R7)'],
      [
        '/type',
        'type.all_with_others',
        'ALL already includes every category; list ALL alone or only the categories you want (R7)',
      ],
    ],
  ],
  [
    'a delay given as a number',
    () => checkDelay(2, '/config/delay'),
    [['/config/delay', 'delay.not_a_string', 'delay must be a string such as "1s", got number']],
  ],
  [
    'a delay of zero seconds (R5)',
    () => checkDelay('0s', '/config/delay'),
    [
      [
        '/config/delay',
        'delay.malformed',
        'delay must be <number><unit> such as "1s" or "5s", got "0s" (R5)',
      ],
    ],
  ],
  [
    'a delay in minutes (R5)',
    () => checkDelay('1m', '/config/delay'),
    [
      [
        '/config/delay',
        'delay.minutes_unit',
        `delay must be given in seconds, 1s to ${MAX_DELAY_SECONDS}s; got 1m (R5)`,
      ],
    ],
  ],
  [
    'a delay one second above the maximum (R5)',
    () => checkDelay(`${MAX_DELAY_SECONDS + 1}s`, '/config/delay'),
    [
      [
        '/config/delay',
        'delay.above_maximum',
        `delay must be at most ${MAX_DELAY_SECONDS}s, got ${MAX_DELAY_SECONDS + 1}s (R5)`,
      ],
    ],
  ],
  [
    'a fractional package size',
    () => checkMaxPackageSize(1.5, '/config/max_package_size'),
    [
      [
        '/config/max_package_size',
        'max_package_size.not_an_integer',
        'max_package_size must be a whole number of bytes, got 1.5',
      ],
    ],
  ],
  [
    'a package size one byte below the minimum (R6)',
    () => checkMaxPackageSize(MIN_PACKAGE_SIZE - 1, '/config/max_package_size'),
    [
      [
        '/config/max_package_size',
        'max_package_size.below_minimum',
        `max_package_size must be at least ${MIN_PACKAGE_SIZE} bytes, got ${MIN_PACKAGE_SIZE - 1} (R6)`,
      ],
    ],
  ],
  [
    'a package size one byte above the maximum (R6)',
    () => checkMaxPackageSize(MAX_PACKAGE_SIZE + 1, '/config/max_package_size'),
    [
      [
        '/config/max_package_size',
        'max_package_size.above_maximum',
        `max_package_size must be at most ${MAX_PACKAGE_SIZE} bytes, got ${MAX_PACKAGE_SIZE + 1} (R6)`,
      ],
    ],
  ],
  [
    'a title given as a number',
    () => checkTitle(5, '/title'),
    [['/title', 'title.not_a_string', 'title must be a string, got number']],
  ],
  [
    'a title one character too long (R9)',
    () => checkTitle('x'.repeat(MAX_TITLE_LENGTH + 1), '/title'),
    [['/title', 'title.too_long', `title must be at most ${MAX_TITLE_LENGTH} characters (R9)`]],
  ],
];

describe('rule messages', () => {
  it.each(explained)('should explain %s in these words', (_name, found, expected) => {
    expect(found().map((issue) => [issue.path, issue.code, issue.message])).toEqual(expected);
  });
});
