import { describe, expect, it } from 'vitest';
import { parseDelivery } from './parse.js';
import { eventCategory, isEventOfCategory, isKnownEventType } from './events.js';
import { createDeliveryEvent } from '../testing/deliveries.js';

describe('eventCategory', () => {
  it.each([
    ['USER.CREATED', 'USER'],
    ['USER_CHECK.PASSED', 'USER_CHECK'],
    ['A.B.C', 'A'],
    ['TOPUP', 'TOPUP'],
    ['.LEADING', ''],
    ['', ''],
  ])('should read the category of %j as %j', (type, category) => {
    expect(eventCategory(type)).toBe(category);
  });
});

describe('isEventOfCategory', () => {
  const parsed = (type: string) => {
    const result = parseDelivery(JSON.stringify({ payload: [createDeliveryEvent({ type })] }));
    if (!result.ok) throw new Error(result.reason);
    return result.events[0]!;
  };

  it.each([
    ['USER.CREATED', 'USER', true],
    ['USER_CHECK.PASSED', 'USER', false],
    ['USER.CREATED', 'USER_CHECK', false],
    ['ORDER.FILLED', 'ORDER', true],
    ['ORDER.FILLED', 'EXECUTION', false],
    ['USER.SOMETHING_NEW', 'USER', false],
  ] as const)('should judge %s as of %s: %s', (type, category, expected) => {
    expect(isEventOfCategory(parsed(type), category)).toBe(expected);
  });

  it('should leave an unknown type out even when its category matches', () => {
    const event = parsed('USER.SOMETHING_NEW');
    expect(event.known).toBe(false);
    expect(isKnownEventType(event.type)).toBe(false);
    expect(isEventOfCategory(event, 'USER')).toBe(false);
  });
});
