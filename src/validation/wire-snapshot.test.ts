import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wireSnapshot } from './wire-snapshot.js';

describe('wireSnapshot', () => {
  it.each([
    [
      'a plain body',
      { title: 'a', config: { delay: '5s' } },
      { title: 'a', config: { delay: '5s' } },
    ],
    ['a Date, as its JSON string', { when: new Date(0) }, { when: '1970-01-01T00:00:00.000Z' }],
    [
      'a toJSON, by what it returns',
      { url: { toJSON: () => 'https://a.tld/' } },
      { url: 'https://a.tld/' },
    ],
    ['undefined members, left out', { title: 'a', url: undefined }, { title: 'a' }],
    ['NaN, as null', { size: Number.NaN }, { size: null }],
    ['undefined itself, as undefined', undefined, undefined],
    ['a function, as undefined', () => 1, undefined],
  ])('should copy %s as JSON writes it', (_name, input, copy) => {
    expect(wireSnapshot(input)).toEqual({ ok: true, value: copy });
  });

  it('should return a copy the caller cannot reach', () => {
    const input = { config: { delay: '5s' } };
    const result = wireSnapshot(input);
    input.config.delay = '99m';
    expect(result).toEqual({ ok: true, value: { config: { delay: '5s' } } });
  });

  it.each([
    [
      'a cycle',
      () => {
        const body: Record<string, unknown> = {};
        body['self'] = body;
        return body;
      },
    ],
    ['a BigInt', () => ({ size: 1n })],
    [
      'a getter that throws',
      () => ({
        get url(): string {
          throw new Error('secret');
        },
      }),
    ],
    [
      'a revoked proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
  ])('should refuse %s as body.not_json, without quoting what was thrown', (_name, input) => {
    const result = wireSnapshot(input());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['', 'body.not_json'],
    ]);
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('should write the same JSON text as the input for any value, or refuse it without throwing', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true }),
        (input) => {
          let text: string | undefined;
          try {
            text = JSON.stringify(input);
          } catch {
            expect(wireSnapshot(input).ok).toBe(false);
            return;
          }
          const result = wireSnapshot(input);
          expect(result.ok).toBe(true);
          expect(result.ok && JSON.stringify(result.value)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('the answers every caller shares', () => {
  it('should be frozen, so one caller cannot change what the next one gets', () => {
    const first = wireSnapshot({ size: 1n });
    expect(Object.isFrozen(first)).toBe(true);
    expect(!first.ok && Object.isFrozen(first.issues)).toBe(true);
    expect(!first.ok && first.issues.every((issue) => Object.isFrozen(issue))).toBe(true);
  });
});
