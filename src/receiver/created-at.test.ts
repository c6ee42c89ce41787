import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateWebhookEventFields } from '../../generated/validators.js';
import {
  compareCreatedAt,
  decimalEpochSeconds,
  parseInstant,
  inOrder,
  sortByCreatedAt,
} from './created-at.js';

describe('compareCreatedAt', () => {
  it.each([
    [
      'a nanosecond earlier',
      '2021-11-19T13:06:57.820371265Z',
      '2021-11-19T13:06:57.820371266Z',
      -1,
    ],
    ['a nanosecond later', '2021-11-19T13:06:57.820371266Z', '2021-11-19T13:06:57.820371265Z', 1],
    [
      'the same instant with trailing zeros',
      '2021-11-19T13:06:57.5Z',
      '2021-11-19T13:06:57.500000000Z',
      0,
    ],
    ['the same instant in another offset', '2021-11-19T14:06:57+01:00', '2021-11-19T13:06:57Z', 0],
    ['an offset without a colon', '2021-11-19T14:06:57+0100', '2021-11-19T13:06:57Z', 0],
    ['an offset in hours only', '2021-11-19T08:06:57-05', '2021-11-19T13:06:57Z', 0],
    [
      'a negative offset across midnight',
      '2021-11-18T23:30:00-14:00',
      '2021-11-19T13:29:59.999999999Z',
      1,
    ],
    ['lower-case t and z', '2021-11-19t13:06:57.1z', '2021-11-19T13:06:57.1Z', 0],
    ['a space instead of T', '2021-11-19 13:06:57.1Z', '2021-11-19T13:06:57.1Z', 0],
    ['a leap second before the next minute', '2016-12-31T23:59:60.5Z', '2017-01-01T00:00:00.4Z', 1],
    [
      'a leap second after the last normal second',
      '2016-12-31T23:59:60Z',
      '2016-12-31T23:59:59.999999999Z',
      1,
    ],
    [
      'more than nine fraction digits',
      '2021-11-19T13:06:57.8203712651Z',
      '2021-11-19T13:06:57.8203712652Z',
      -1,
    ],
    ['a date before 1970', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', -1],
    ['a year below 100', '0099-01-01T00:00:00Z', '1999-01-01T00:00:00Z', -1],
    ['a timestamp and a non-timestamp', '2021-11-19T13:06:57Z', 'yesterday', -1],
    ['two non-timestamps', 'yesterday', 'tomorrow', 0],
  ])('should order %s', (_name, a, b, expected) => {
    expect(Math.sign(compareCreatedAt(a, b))).toBe(expected);
    expect(Math.sign(compareCreatedAt(b, a))).toBe(-expected || 0);
  });

  it('should agree with Date to the millisecond and order by the digits below it', () => {
    const timestamp = fc.record({
      ms: fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
      below: fc.integer({ min: 0, max: 999_999 }),
      offsetMinutes: fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
    });
    const format = ({
      ms,
      below,
      offsetMinutes,
    }: {
      ms: number;
      below: number;
      offsetMinutes: number;
    }) => {
      const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      return `${local}${String(below).padStart(6, '0')}${offset}`;
    };
    fc.assert(
      fc.property(timestamp, timestamp, (a, b) => {
        const expected = Math.sign(a.ms - b.ms) || Math.sign(a.below - b.below);
        expect(Math.sign(compareCreatedAt(format(a), format(b)))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('should parse every timestamp the spec accepts', () => {
    const accepted = [
      '2021-11-19T13:06:57Z',
      '2021-11-19t13:06:57.820371265z',
      '2021-11-19 13:06:57+01',
      '2021-11-19T13:06:57+0130',
      '2016-12-31T23:59:60Z',
      '2016-12-31T18:59:60-05:00',
    ];
    for (const created_at of accepted) {
      const event = {
        id: '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
        created_at,
        type: 'USER.CREATED',
        object: {},
        webhook_id: '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
      };
      expect(validateWebhookEventFields(event), created_at).toBe(true);
      expect(parseInstant(created_at), created_at).toBeDefined();
    }
  });
});

describe('sortByCreatedAt', () => {
  it('should sort stably and put what is not a timestamp last', () => {
    const items = [
      { n: 1, at: 'later' },
      { n: 2, at: '2021-11-19T13:06:57.000000002Z' },
      { n: 3, at: '2021-11-19T13:06:57.000000001Z' },
      { n: 4, at: '2021-11-19T13:06:57.000000002Z' },
    ];
    expect(sortByCreatedAt(items, (item) => item.at).map((item) => item.n)).toEqual([3, 2, 4, 1]);
  });

  it.each([
    [
      'a leap second after the next second',
      ['2016-12-31T23:59:60.5Z', '2017-01-01T00:00:00.2Z'],
      [1, 0],
    ],
    [
      'fractions of different length',
      ['2021-11-19T13:06:57.5Z', '2021-11-19T13:06:57.49Z'],
      [1, 0],
    ],
    ['an offset', ['2021-11-19T14:06:58+01:00', '2021-11-19T13:06:57Z'], [1, 0]],
    ['an ordered batch', ['2021-11-19T13:06:57.1Z', '2021-11-19T13:06:57.2Z'], [0, 1]],
  ])('should sort %s by instant, not by text', (_name, stamps, order) => {
    expect(sortByCreatedAt(stamps, (at) => at)).toEqual(order.map((i) => stamps[i]));
  });

  it('should agree with a full stable sort, whether the batch is in order or not', () => {
    const second = fc.integer({ min: 0, max: 60 }).map((s) => String(s).padStart(2, '0'));
    const stamp = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 2 }), second, fc.stringMatching(/^(\.\d{1,3})?$/))
        .map(([minute, s, fraction]) => `2021-11-19T13:0${minute}:${s}${fraction}Z`),
      fc.constantFrom('2021-11-19T14:01:00+01:00', 'not a time', '2021-11-19t13:01:00z'),
    );
    fc.assert(
      fc.property(fc.array(stamp, { maxLength: 12 }), fc.boolean(), (stamps, presort) => {
        const items = (presort ? [...stamps].sort() : stamps).map((at, n) => ({ at, n }));
        const reference = items
          .map((item, index) => ({ item, index }))
          .sort((a, b) => compareCreatedAt(a.item.at, b.item.at) || a.index - b.index)
          .map(({ item }) => item);
        expect(sortByCreatedAt(items, (item) => item.at)).toEqual(reference);
      }),
    );
  });
});

describe('decimalEpochSeconds', () => {
  it.each([
    ['the epoch', '1970-01-01T00:00:00Z', '0'],
    ['nanoseconds, every digit', '2021-11-19T13:06:57.820371265Z', '1637327217.820371265'],
    ['trailing zeros dropped', '2021-11-19T13:06:57.500Z', '1637327217.5'],
    ['an offset', '2021-11-19T14:06:57.25+01:00', '1637327217.25'],
    ['half a second before the epoch', '1969-12-31T23:59:59.5Z', '-0.5'],
    ['more than nine digits', '1970-01-01T00:00:01.0000000001Z', '1.0000000001'],
    ['no timestamp', 'yesterday', undefined],
  ])('should write %s exactly', (_name, value, expected) => {
    expect(decimalEpochSeconds(value)).toBe(expected);
  });

  it('should order like compareCreatedAt, as numbers', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        fc.stringMatching(/^\d{0,12}$/),
        fc.stringMatching(/^\d{0,12}$/),
        (a, b, fa, fb) => {
          const x = `${a.toISOString().slice(0, 19)}${fa ? `.${fa}` : ''}Z`;
          const y = `${b.toISOString().slice(0, 19)}${fb ? `.${fb}` : ''}Z`;
          const byNumber = compareDecimals(decimalEpochSeconds(x)!, decimalEpochSeconds(y)!);
          expect(byNumber).toBe(compareCreatedAt(x, y));
        },
      ),
    );
  });
});

/** Compares two decimal strings as numbers, exactly (the way SQL `numeric` does). */
function compareDecimals(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const width = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(width, '0'));
  const y = BigInt(bi + bf.padEnd(width, '0'));
  return x === y ? 0 : x < y ? -1 : 1;
}

describe('compareCreatedAt, fractions of different lengths', () => {
  it.each([
    ['2021-11-19T13:06:57.1Z', '2021-11-19T13:06:57.10Z', 0],
    ['2021-11-19T13:06:57.10Z', '2021-11-19T13:06:57.1Z', 0],
    ['2021-11-19T13:06:57.1Z', '2021-11-19T13:06:57.100000001Z', -1],
    ['2021-11-19T13:06:57.2Z', '2021-11-19T13:06:57.199999999Z', 1],
    ['2021-11-19T13:06:57Z', '2021-11-19T13:06:57.000Z', 0],
    ['2021-11-19T13:06:56.9Z', '2021-11-19T13:06:57Z', -1],
  ])('should compare %s with %s as %i', (a, b, expected) => {
    expect(Math.sign(compareCreatedAt(a, b))).toBe(expected);
  });
});

describe('inOrder', () => {
  const at = (value: string) => value;
  it.each<[string, string[], boolean]>([
    ['no items', [], true],
    ['one item', ['2021-11-19T13:06:57Z'], true],
    ['ascending, one shape', ['2021-11-19T13:06:57.1Z', '2021-11-19T13:06:57.2Z'], true],
    ['equal neighbours', ['2021-11-19T13:06:57.1Z', '2021-11-19T13:06:57.1Z'], true],
    ['descending, one shape', ['2021-11-19T13:06:57.2Z', '2021-11-19T13:06:57.1Z'], false],
    ['ascending, shapes differ', ['2021-11-19T13:06:57.9Z', '2021-11-19T13:06:58Z'], true],
    ['descending, shapes differ', ['2021-11-19T13:06:58Z', '2021-11-19T13:06:57.9Z'], false],
    [
      'descending through an offset',
      ['2021-11-19T14:06:57+00:00', '2021-11-19T14:00:00+01:00'],
      false,
    ],
    ['ascending through an offset', ['2021-11-19T14:00:00+01:00', '2021-11-19T13:30:00Z'], true],
    [
      'out of order only at the end',
      ['2021-01-01T00:00:01Z', '2021-01-01T00:00:02Z', '2021-01-01T00:00:00Z'],
      false,
    ],
    [
      'a whole second, then its first fraction',
      ['2021-11-19T13:06:57Z', '2021-11-19T13:06:57.5Z'],
      true,
    ],
    ['one instant in two spellings', ['2021-01-01T01:00:00+01:00', '2021-01-01T00:00:00Z'], true],
    ['an unreadable timestamp last', ['2021-01-01T00:00:00Z', 'yesterday'], true],
    ['an unreadable timestamp first', ['yesterday', '2021-01-01T00:00:00Z'], false],
  ])('should judge %s', (_, items, expected) => {
    expect(inOrder(items, at)).toBe(expected);
  });

  it('should not read a timestamp from an empty list', () => {
    expect(inOrder([], (event: { created_at: string }) => event.created_at)).toBe(true);
  });

  // Unreadable timestamps rank equal, so two of them are in order whatever their text says; a
  // shortcut that compared them as strings would call 'b…' before 'a…' out of order.
  const canonical = '2021-01-01T00:00:00Z';
  const spoilt = (index: number, letter: string) =>
    `${canonical.slice(0, index)}${letter}${canonical.slice(index + 1)}`;
  it.each<[string, string, string]>([
    ...[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].map((index): [string, string, string] => [
      `a letter at ${index}`,
      spoilt(index, 'b'),
      spoilt(index, 'a'),
    ]),
    ['a fraction of letters', '2021-01-01T00:00:00.bZ', '2021-01-01T00:00:00.aZ'],
    ['a one-digit year', '2-01-01T00:00:00Z', '1-01-01T00:00:00Z'],
    ['a year of letters', 'bbbb-01-01T00:00:00Z', 'aaaa-01-01T00:00:00Z'],
    ['text before', `b${canonical}`, `a${canonical}`],
    ['text after', `${canonical}b`, `${canonical}a`],
  ])('should keep two unreadable timestamps in order: %s', (_name, first, second) => {
    expect(inOrder([first, second], at)).toBe(true);
  });
});

describe('sortByCreatedAt, ties in a batch out of order', () => {
  it('should keep items of one instant in their delivery order while moving the rest', () => {
    const items = [
      { id: 'late', at: '2021-01-01T00:00:02Z' },
      { id: 'tie-1', at: '2021-01-01T00:00:01Z' },
      { id: 'tie-2', at: '2021-01-01T00:00:01.000Z' },
      { id: 'tie-3', at: '2021-01-01T01:00:01+01:00' },
    ];
    expect(sortByCreatedAt(items, (item) => item.at).map((item) => item.id)).toEqual([
      'tie-1',
      'tie-2',
      'tie-3',
      'late',
    ]);
  });
});

describe('decimalEpochSeconds at the epoch', () => {
  it.each([
    ['1970-01-01T00:00:00Z', '0'],
    ['1969-12-31T23:59:59.5Z', '-0.5'],
    ['1970-01-01T00:00:00.000000001Z', '0.000000001'],
  ])('should write %s as %s, with a sign only below zero', (value, expected) => {
    expect(decimalEpochSeconds(value)).toBe(expected);
  });
});
