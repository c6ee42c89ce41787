import { describe, expectTypeOf, it } from 'vitest';
import type { webhookEventTypes } from '../../generated/constants.js';
import type { components } from '../../generated/openapi.js';
import {
  isEventOfCategory,
  type DeliveryEvent,
  type EventOfCategory,
  type UnknownDeliveryEvent,
  type WebhookEventCategory,
  type WebhookEventType,
} from './events.js';
import type { DeliveryContext } from './processor.js';
import type { DeliveryEventInput } from '../testing/deliveries.js';
import type { VerifiedDelivery } from './verify.js';

declare const event: DeliveryEvent;

describe('delivery event types', () => {
  it('should make WebhookEventType exactly the 67 documented type strings', () => {
    expectTypeOf<WebhookEventType>().toEqualTypeOf<(typeof webhookEventTypes)[number]>();
    expectTypeOf<'USER.CREATED'>().toExtend<WebhookEventType>();
    expectTypeOf<'FEE_COLLECTION.FINALISED'>().toExtend<WebhookEventType>();
    expectTypeOf<'USER.DELETED'>().not.toExtend<WebhookEventType>();
    expectTypeOf<'ACCOUNT_GROUP.UPDATED'>().not.toExtend<WebhookEventType>();
    expectTypeOf<string>().not.toExtend<WebhookEventType>();
  });

  it('should give a known event the union of documented types, and an unknown one a string', () => {
    if (event.known) expectTypeOf(event.type).toEqualTypeOf<WebhookEventType>();
    else {
      expectTypeOf(event).toEqualTypeOf<UnknownDeliveryEvent>();
      expectTypeOf(event.type).toEqualTypeOf<string>();
    }
  });

  it('should narrow by category with isEventOfCategory', () => {
    if (isEventOfCategory(event, 'ORDER')) {
      expectTypeOf(event.type).toEqualTypeOf<
        'ORDER.NEW' | 'ORDER.PROCESSING' | 'ORDER.FILLED' | 'ORDER.CANCELLED'
      >();
    }
    if (isEventOfCategory(event, 'USER')) {
      // USER_CHECK events are a category of their own.
      expectTypeOf<'USER_CHECK.PASSED'>().not.toExtend<typeof event.type>();
    }
  });

  it('should narrow to the category schema by comparing type', () => {
    if (event.known && event.type === 'USER_CHECK.FAILED') {
      expectTypeOf(event.type).toEqualTypeOf<'USER_CHECK.FAILED'>();
      expectTypeOf(event).toExtend<components['schemas']['UserCheckEvent']>();
    }
    if (event.known) {
      switch (event.type) {
        case 'CASH_BALANCE.UPDATED':
          expectTypeOf(event).toExtend<EventOfCategory<'CASH_BALANCE'>>();
          break;
        default:
          expectTypeOf(event.type).not.toEqualTypeOf<'CASH_BALANCE.UPDATED'>();
      }
    }
  });

  it('should list the 24 categories with documented events, not PORTFOLIO or CORPORATE_ACTION', () => {
    expectTypeOf<'ORDER_CANCELLATION'>().toExtend<WebhookEventCategory>();
    expectTypeOf<'PORTFOLIO'>().not.toExtend<WebhookEventCategory>();
    expectTypeOf<'CORPORATE_ACTION'>().not.toExtend<WebhookEventCategory>();
    expectTypeOf<EventOfCategory<'POSITION'>['type']>().toEqualTypeOf<'POSITION.UPDATED'>();
  });

  it('should type the verdict and the handler context', () => {
    expectTypeOf<Extract<VerifiedDelivery, { ok: true }>['events']>().toEqualTypeOf<
      readonly DeliveryEvent[]
    >();
    expectTypeOf<DeliveryContext['signature']['format']>().toEqualTypeOf<'rfc9421' | 'upvest-v6'>();
    expectTypeOf<DeliveryContext['signature']['digestHeader']>().toEqualTypeOf<
      'content-digest' | 'digest'
    >();
  });

  it('should let test events take documented and any other type strings', () => {
    expectTypeOf<{ type: 'USER.CREATED' }['type']>().toExtend<DeliveryEventInput['type']>();
    expectTypeOf<string>().toExtend<DeliveryEventInput['type']>();
  });
});
