import { describe, expect, it } from 'vitest';
import { preview } from './issue.js';

const revokedList = (): unknown => {
  const { proxy, revoke } = Proxy.revocable([], {});
  revoke();
  return proxy;
};

describe('preview', () => {
  it.each<[string, unknown, string]>([
    ['a short string, quoted', '5h', '"5h"'],
    ['a string with a quote, escaped as JSON', 'a"b', '"a\\"b"'],
    [
      'a string of 78 characters, whole (80 with its quotes)',
      'x'.repeat(78),
      `"${'x'.repeat(78)}"`,
    ],
    [
      'a string of 79 characters, cut to 77 and an ellipsis',
      'x'.repeat(79),
      `"${'x'.repeat(76)}...`,
    ],
    ['a 10 MB string, cut the same way', 'y'.repeat(10_000_000), `"${'y'.repeat(76)}...`],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a bigint', 10n, '10'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a function, never called or printed', () => 'secret', 'a function'],
    ['a list', ['secret'], 'a list'],
    ['an object, never stringified', { toString: () => 'boom' }, 'an object'],
    ['an object without a prototype', Object.create(null), 'an object'],
    ['a revoked proxy, on which Array.isArray throws', revokedList(), 'an object'],
  ])('should show %s', (_name, value, expected) => {
    expect(preview(value)).toBe(expected);
  });

  it('should not throw on 90 M control characters, which JSON would escape past the string limit', () => {
    // Escaped, each U+0001 takes six characters: 600 M, above V8's limit of about 537 M.
    const hostile = '\u0001'.repeat(100_000_000);
    expect(preview(hostile)).toBe(`"${'\\u0001'.repeat(12)}\\u00...`);
  });
});
