import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webhookEventTypes } from '../../generated/constants.js';
import { parseDelivery } from './parse.js';
import { createDeliveryEvent, type DeliveryEventInput } from '../testing/deliveries.js';

const event = (overrides: Partial<DeliveryEventInput> = {}) =>
  createDeliveryEvent({ created_at: '2021-11-19T13:06:57.820371265Z', ...overrides });
const body = (payload: unknown[]) => JSON.stringify({ payload });
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

describe('parseDelivery', () => {
  it('should return events in created_at order, nanoseconds and offsets included (R13)', () => {
    const parsed = parseDelivery(
      body([
        event({ id: id(3), created_at: '2021-11-19T13:06:57.820371266Z' }),
        event({ id: id(1), created_at: '2021-11-19T13:06:57.820371265Z' }),
        event({ id: id(2), created_at: '2021-11-19T14:06:57.8203712655+01:00' }),
        event({ id: id(0), created_at: '2021-11-19T13:06:57Z' }),
      ]),
    );
    expect(parsed.ok && parsed.events.map((e) => e.id)).toEqual([id(0), id(1), id(2), id(3)]);
  });

  it('should keep events with equal timestamps in delivery order', () => {
    const parsed = parseDelivery(
      body([
        event({ id: id(2), created_at: '2021-11-19T13:06:57.5Z' }),
        event({ id: id(1), created_at: '2021-11-19T13:06:57.500Z' }),
        event({ id: id(3), created_at: '2021-11-19T14:06:57.5+01:00' }),
      ]),
    );
    expect(parsed.ok && parsed.events.map((e) => e.id)).toEqual([id(2), id(1), id(3)]);
  });

  it('should mark every documented type known, and keep other types as typed unknown events', () => {
    const known = webhookEventTypes.map((type) => event({ type }));
    const later = [
      'SAVINGS_PLAN_EXECUTION.DATA_CHANGED',
      'ACCOUNT_GROUP.UPDATED',
      'TOPUP',
      'user.created',
    ];
    const parsed = parseDelivery(body([...known, ...later.map((type) => event({ type }))]));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.events.filter((e) => e.known)).toHaveLength(67);
    expect(parsed.events.filter((e) => !e.known).map((e) => e.type)).toEqual(later);
  });

  it('should accept fields Upvest adds, on the delivery and on its events, and keep them (R16)', () => {
    const parsed = parseDelivery(
      JSON.stringify({ payload: [{ ...event(), version: 2 }], next: 1 }),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.events[0]).toMatchObject({ version: 2 });
  });

  it('should accept an empty batch as zero events', () => {
    expect(parseDelivery('{"payload":[]}')).toEqual({ ok: true, events: [] });
  });

  it('should accept the body as bytes', () => {
    const parsed = parseDelivery(
      new TextEncoder().encode(body([event({ object: { name: 'Zoë' } })])),
    );
    expect(parsed.ok && parsed.events[0]?.object).toEqual({ name: 'Zoë' });
  });

  it.each<[string, string | Uint8Array, string, string]>([
    ['invalid JSON', '{"payload": [', 'invalid_json', ''],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'invalid_json', ''],
    ['an empty body', '', 'invalid_json', ''],
    ['a JSON array', '[]', 'invalid_delivery', ''],
    ['a body without payload', '{"events": []}', 'invalid_delivery', '/payload'],
    ['a payload that is not an array', '{"payload": {}}', 'invalid_delivery', '/payload'],
    [
      'an event that is not an object',
      body([event(), 'USER.CREATED']),
      'invalid_delivery',
      '/payload/1',
    ],
    [
      'an event with a bad timestamp',
      body([event(), event(), event(), event({ created_at: 'yesterday' })]),
      'invalid_delivery',
      '/payload/3/created_at',
    ],
    [
      'an event with a timestamp without offset',
      body([event({ created_at: '2021-11-19T13:06:57' })]),
      'invalid_delivery',
      '/payload/0/created_at',
    ],
    [
      'an event with an id that is not a UUID',
      body([event({ id: '42' })]),
      'invalid_delivery',
      '/payload/0/id',
    ],
    [
      'an event with an empty type',
      body([event({ type: '' })]),
      'invalid_delivery',
      '/payload/0/type',
    ],
    [
      'an event without a type',
      body([{ ...event(), type: undefined }]),
      'invalid_delivery',
      '/payload/0/type',
    ],
    [
      'an event whose object is an array',
      body([event({ object: [] as never })]),
      'invalid_delivery',
      '/payload/0/object',
    ],
    [
      'an event without webhook_id',
      body([{ ...event(), webhook_id: undefined }]),
      'invalid_delivery',
      '/payload/0/webhook_id',
    ],
  ])('should refuse %s, naming where', (_name, input, reason, path) => {
    const parsed = parseDelivery(input);
    expect(parsed).toMatchObject({ ok: false, reason });
    if (!parsed.ok) expect(parsed.issues.map((issue) => issue.path)).toContain(path);
  });

  it('should refuse the whole batch for one bad event, listing every bad event', () => {
    const parsed = parseDelivery(body([event({ id: 'x' }), event(), event({ created_at: 'y' })]));
    expect(parsed).toMatchObject({ ok: false });
    expect(!parsed.ok && parsed.issues.map((issue) => issue.path)).toEqual([
      '/payload/0/id',
      '/payload/2/created_at',
    ]);
  });

  it('should never throw, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array(),
          fc.json().map((j) => `{"payload":[${j}]}`),
        ),
        (input) => {
          expect(typeof parseDelivery(input).ok).toBe('boolean');
        },
      ),
    );
  });

  it('should return any valid batch complete and sorted', () => {
    const timestamp = fc
      .tuple(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.stringMatching(/^\d{0,9}$/),
      )
      .map(
        ([date, fraction]) =>
          `${date.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`,
      );
    fc.assert(
      fc.property(fc.array(timestamp, { maxLength: 20 }), (stamps) => {
        const parsed = parseDelivery(body(stamps.map((created_at) => event({ created_at }))));
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
        const nanos = (s: string) => {
          const [whole, fraction = ''] = s.slice(0, -1).split('.');
          return BigInt(Date.parse(`${whole}Z`)) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
        };
        const keys = parsed.events.map((e) => nanos(e.created_at));
        expect(keys).toHaveLength(stamps.length);
        for (let i = 1; i < keys.length; i += 1) expect(keys[i]! >= keys[i - 1]!).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseDelivery, what a refusal says', () => {
  it.each<[string, string | Uint8Array, RegExp]>([
    ['invalid JSON', '{"payload": [', /^the body is not JSON: /],
    [
      'bytes that are not UTF-8',
      new Uint8Array([0x7b, 0xff, 0x7d]),
      /^the body is not UTF-8 text$/,
    ],
  ])('should name %s in one issue at the root', (_, input, message) => {
    const parsed = parseDelivery(input);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual([
      {
        path: '',
        code: 'delivery.invalid_json',
        message: expect.stringMatching(message) as unknown,
      },
    ]);
  });

  it('should point at the payload itself when it is not a list, and at the event field otherwise', () => {
    const notAList = parseDelivery('{"payload": {"id": 1}}');
    expect(!notAList.ok && notAList.issues.map((issue) => issue.path)).toEqual(['/payload']);
    const badEvent = parseDelivery(body([event({ id: '42' })]));
    expect(
      !badEvent.ok && badEvent.issues.every((issue) => issue.path.startsWith('/payload/0')),
    ).toBe(true);
  });
});
