import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateWebhookDelivery } from '../../generated/validators-deliveries.js';
import { isPlainDelivery } from './envelope.js';

const ID = '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11';
const WEBHOOK = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const event = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: ID,
  created_at: '2021-11-19T13:06:57.820371265Z',
  type: 'USER.CREATED',
  object: { id: 'u1' },
  webhook_id: WEBHOOK,
  ...overrides,
});
const delivery = (...events: unknown[]) => ({ payload: events });

describe('isPlainDelivery', () => {
  it.each<[string, unknown, boolean, boolean]>([
    ['the usual batch', delivery(event(), event()), true, true],
    ['an empty batch', delivery(), true, true],
    ['upper-case UUIDs', delivery(event({ id: ID.toUpperCase() })), true, true],
    ['a whole second', delivery(event({ created_at: '2021-11-19T13:06:57Z' })), true, true],
    [
      '29 February of a leap year',
      delivery(event({ created_at: '2024-02-29T00:00:00Z' })),
      true,
      true,
    ],
    ['an unknown event type', delivery(event({ type: 'NEW.THING' })), true, true],
    [
      '29 February 2000 (a leap year: divisible by 400)',
      delivery(event({ created_at: '2000-02-29T00:00:00Z' })),
      true,
      true,
    ],
    ['the year 0000', delivery(event({ created_at: '0000-01-01T00:00:00Z' })), true, true],
    [
      'the last instant of a day',
      delivery(event({ created_at: '2021-12-31T23:59:59.999999999Z' })),
      true,
      true,
    ],
    // Valid, but not the usual shape: the generated validator decides, and accepts.
    ['a urn:uuid: id', delivery(event({ id: `urn:uuid:${ID}` })), false, true],
    ['a leap second', delivery(event({ created_at: '2016-12-31T23:59:60Z' })), false, true],
    ['an offset', delivery(event({ created_at: '2021-11-19T14:06:57+01:00' })), false, true],
    ['a lower-case t and z', delivery(event({ created_at: '2021-11-19t13:06:57z' })), false, true],
    // Invalid: both refuse.
    [
      '29 February of a common year',
      delivery(event({ created_at: '2023-02-29T00:00:00Z' })),
      false,
      false,
    ],
    ['31 April', delivery(event({ created_at: '2021-04-31T00:00:00Z' })), false, false],
    [
      '29 February 1900 (no leap year: divisible by 100)',
      delivery(event({ created_at: '1900-02-29T00:00:00Z' })),
      false,
      false,
    ],
    ['minute 60', delivery(event({ created_at: '2021-11-19T13:60:00Z' })), false, false],
    ['day 0', delivery(event({ created_at: '2021-11-00T00:00:00Z' })), false, false],
    ['month 0', delivery(event({ created_at: '2021-00-19T00:00:00Z' })), false, false],
    ['a UUID with one more digit', delivery(event({ webhook_id: `${WEBHOOK}0` })), false, false],
    ['month 13', delivery(event({ created_at: '2021-13-01T00:00:00Z' })), false, false],
    ['hour 24', delivery(event({ created_at: '2021-11-19T24:00:00Z' })), false, false],
    [
      'a fraction point without digits',
      delivery(event({ created_at: '2021-11-19T13:06:57.Z' })),
      false,
      false,
    ],
    ['an id without hyphens', delivery(event({ id: ID.replaceAll('-', '') })), false, false],
    [
      'an id of 36 hex digits, hex where the hyphens go',
      delivery(event({ id: ID.replaceAll('-', 'a') })),
      false,
      false,
    ],
    ['a non-hex id', delivery(event({ id: ID.replace('0', 'g') })), false, false],
    ['an empty type', delivery(event({ type: '' })), false, false],
    ['an object that is a list', delivery(event({ object: [] })), false, false],
    ['an object that is null', delivery(event({ object: null })), false, false],
    ['a sixth field, one Upvest added', delivery(event({ extra: 1 })), true, true],
    ['a missing field', delivery((({ type: _t, ...rest }) => rest)(event())), false, false],
    ['a field beside payload', { ...delivery(event()), more: 1 }, true, true],
    ['a payload that is no list', { payload: {} }, false, false],
    ['no payload', {}, false, false],
    ['an event that is a list', delivery([]), false, false],
    ['a list', [], false, false],
    ['null', null, false, false],
  ])('should judge %s: plain %s, valid %s', (_name, data, plain, valid) => {
    expect(isPlainDelivery(data)).toBe(plain);
    expect(validateWebhookDelivery(data)).toBe(valid);
  });

  const hex = fc.constantFrom(...'0123456789abcdefABCDEFgx-');
  const nearUuid = fc.oneof(
    fc.uuid(),
    fc.string({ unit: hex, minLength: 30, maxLength: 40 }),
    fc.uuid().map((id) => `urn:uuid:${id}`),
  );
  const digit = fc.constantFrom(...'0123456789');
  const two = fc.string({ unit: digit, minLength: 2, maxLength: 2 });
  const nearTimestamp = fc.oneof(
    fc
      .tuple(
        fc.string({ unit: digit, minLength: 4, maxLength: 4 }),
        two,
        two,
        fc.constantFrom('T', 't', ' ', 'X'),
        two,
        two,
        two,
        fc.constantFrom('', '.', '.5', '.820371265', '.x'),
        fc.constantFrom('Z', 'z', '+01:00', '-0130', '', 'ZZ'),
      )
      .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`),
    fc.string({ maxLength: 30 }),
  );
  const value = fc.oneof(
    nearUuid,
    nearTimestamp,
    fc.string(),
    fc.constant(''),
    fc.integer(),
    fc.constant(null),
    fc.object(),
  );
  const spoilt = fc
    .tuple(
      fc.constantFrom('id', 'created_at', 'type', 'object', 'webhook_id', 'extra', '__proto__'),
      value,
    )
    // Through JSON, as a parsed body: a computed `__proto__` key becomes an own field.
    .map(
      ([key, replacement]) =>
        JSON.parse(JSON.stringify({ ...event(), [key]: replacement })) as unknown,
    );

  it('should only call plain what the generated validator accepts, whatever a field holds', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(spoilt, fc.constant(event())), { maxLength: 4 }), (events) => {
        const data = delivery(...events);
        if (isPlainDelivery(data)) expect(validateWebhookDelivery(data)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('should only call a timestamp plain when the generated validator accepts it', () => {
    fc.assert(
      fc.property(nearTimestamp, (createdAt) => {
        const data = delivery(event({ created_at: createdAt }));
        if (isPlainDelivery(data)) expect(validateWebhookDelivery(data)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('should only call plain what the generated validator accepts, one character off the usual', () => {
    const typo = fc.constantFrom(...'0123456789abcdefgxATZtz-:.+ /');
    const usual = event();
    fc.assert(
      fc.property(
        fc.constantFrom('id', 'created_at', 'webhook_id'),
        fc.nat(),
        typo,
        fc.boolean(),
        (field, at, char, insert) => {
          const text = String(usual[field]);
          const i = at % (text.length + 1);
          const changed = `${text.slice(0, i)}${char}${text.slice(insert ? i : i + 1)}`;
          const data = delivery(event({ [field]: changed }));
          if (isPlainDelivery(data)) expect(validateWebhookDelivery(data)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('should call plain every batch in the shape Upvest sends', () => {
    const instant = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    const sent = fc.record({
      id: fc.uuid(),
      created_at: fc
        .tuple(instant, fc.option(fc.string({ unit: digit, minLength: 1, maxLength: 9 })))
        .map(([at, nanos]) =>
          at.toISOString().replace(/\.\d+Z$/, nanos === null ? 'Z' : `.${nanos}Z`),
        ),
      type: fc.string({ minLength: 1 }),
      object: fc.object(),
      webhook_id: fc.uuid(),
    });
    fc.assert(
      fc.property(fc.array(sent, { maxLength: 5 }), (events) => {
        const data = JSON.parse(JSON.stringify(delivery(...events))) as unknown;
        expect(isPlainDelivery(data)).toBe(true);
        expect(validateWebhookDelivery(data)).toBe(true);
      }),
    );
  });
});
