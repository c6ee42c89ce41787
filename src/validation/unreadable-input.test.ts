import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidationResult } from '../validation-issue.js';
import { validateCreateWebhook, validateListQuery, validateUpdateWebhook } from './webhook.js';

// Inputs that throw when read: the validators promise never to throw, for these either.

const validators: [string, (input: unknown) => ValidationResult<unknown>][] = [
  ['validateCreateWebhook', validateCreateWebhook],
  ['validateUpdateWebhook', validateUpdateWebhook],
  ['validateListQuery', validateListQuery],
];

const TRAPS = ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'] as const;

/** A body whose proxy throws from one trap, with a message nobody may quote. */
function throwingFrom(trap: (typeof TRAPS)[number], target: object): object {
  return new Proxy(target, {
    [trap]: () => {
      throw new Error('token=c2VjcmV0');
    },
  });
}

/** Where a throwing proxy goes in a generated body. */
class Trapped {
  constructor(
    readonly trap: (typeof TRAPS)[number],
    readonly target: unknown,
  ) {}
}

/** The body a plan describes, each {@link Trapped} made a throwing proxy. */
function build(plan: unknown): unknown {
  if (plan instanceof Trapped) return throwingFrom(plan.trap, build(plan.target) as object);
  if (Array.isArray(plan)) return plan.map(build);
  if (typeof plan !== 'object' || plan === null) return plan;
  return Object.fromEntries(Object.entries(plan).map(([key, value]) => [key, build(value)]));
}

const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({ title: 'a', url: 'https://a.tld/' }, {});
  revoke();
  return proxy;
};

describe.each(validators)('%s on an input that throws when read', (_name, validate) => {
  it.each<[string, () => unknown]>([
    ['a revoked proxy', revoked],
    [
      'getters that throw',
      () => ({
        get title(): string {
          throw new Error('token=c2VjcmV0');
        },
        get limit(): number {
          throw new Error('token=c2VjcmV0');
        },
      }),
    ],
    ...(['get', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'] as const).map(
      (trap) =>
        [
          `a proxy whose ${trap} trap throws`,
          () => throwingFrom(trap, { limit: 5, title: 'a' }),
        ] as [string, () => unknown],
    ),
  ])('should answer body.unreadable, without quoting what was thrown, for %s', (_case, input) => {
    const result = validate(input());
    expect(!result.ok && result.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['', 'body.unreadable'],
    ]);
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0');
  });

  it('should judge a proxy whose has trap throws as what it wraps: no validator asks it', () => {
    const target = { limit: 5, title: 'a' };
    expect(validate(throwingFrom('has', target))).toEqual(validate(target));
  });

  it('should never throw for bodies anywhere in which a proxy throws from any trap', () => {
    // fast-check inspects what it generates, so it generates where the proxies go, and the
    // property builds them.
    const hostile = fc.letrec((tie) => ({
      value: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'body' },
        fc.jsonValue({ maxDepth: 2 }),
        tie('object'),
        fc
          .record({ trap: fc.constantFrom(...TRAPS), target: tie('object') })
          .map(({ trap, target }) => new Trapped(trap, target)),
      ),
      object: fc.dictionary(
        fc.constantFrom('title', 'url', 'type', 'config', 'delay', 'max_package_size', 'limit'),
        tie('value'),
        { maxKeys: 4 },
      ),
    }));
    fc.assert(
      fc.property(hostile.value, (plan) => {
        const input = build(plan);
        expect(() => validate(input)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(validators.slice(0, 2))('%s on a config that throws when read', (_name, validate) => {
  it('should answer body.unreadable', () => {
    const input = {
      title: 'a',
      url: 'https://a.tld/',
      config: {
        get delay(): string {
          throw new Error('token=c2VjcmV0');
        },
      },
    };
    const result = validate(input);
    expect(!result.ok && result.issues.map((issue) => issue.code)).toEqual(['body.unreadable']);
  });
});

describe('the unreadable answer', () => {
  it('should be frozen, so one caller cannot change what the next one gets', () => {
    const first = validateCreateWebhook(revoked());
    expect(Object.isFrozen(first)).toBe(true);
    expect(!first.ok && Object.isFrozen(first.issues)).toBe(true);
    expect(!first.ok && first.issues.every((issue) => Object.isFrozen(issue))).toBe(true);
  });
});
