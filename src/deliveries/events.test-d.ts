import { describe, expectTypeOf, it } from 'vitest';
import { isEventOfCategory, type DeliveryEvent, type WebhookEventType } from './events.js';

declare const event: DeliveryEvent;

describe('delivery event types', () => {
  it('should give known events a type that is the union of the documented strings', () => {
    if (event.known) expectTypeOf(event.type).toEqualTypeOf<WebhookEventType>();
    expectTypeOf<'USER.CREATED'>().toExtend<WebhookEventType>();
    expectTypeOf<'FEE_COLLECTION.FINALISED'>().toExtend<WebhookEventType>();
    expectTypeOf<'USER.DELETED'>().not.toExtend<WebhookEventType>();
  });

  it('should leave unknown events a plain string type', () => {
    if (!event.known) expectTypeOf(event.type).toEqualTypeOf<string>();
  });

  it('should narrow by category', () => {
    if (isEventOfCategory(event, 'ORDER')) {
      expectTypeOf(event.type).toEqualTypeOf<
        'ORDER.NEW' | 'ORDER.PROCESSING' | 'ORDER.FILLED' | 'ORDER.CANCELLED'
      >();
    }
  });

  it('should narrow by type within a switch', () => {
    if (event.known && event.type === 'USER.CREATED')
      expectTypeOf(event.type).toEqualTypeOf<'USER.CREATED'>();
  });
});
