import type { webhookEventTypesByCategory } from '../../generated/constants.js';
import { webhookEventTypes } from '../../generated/constants.js';
import type { components } from '../../generated/openapi.js';

/**
 * A documented event: the union of the spec's 24 per-category schemas, narrowed by `type`.
 *
 * @example
 * ```ts
 * function describe(event: WebhookEvent): string {
 *   switch (event.type) {
 *     case 'USER.CREATED':
 *       return `user ${String(event.object['id'])} created`;
 *     default:
 *       return event.type;
 *   }
 * }
 * ```
 */
export type WebhookEvent = components['schemas']['WebhookEvent'];

/**
 * Every documented event type string (67 in API 1.9.0), e.g. `USER.CREATED`.
 *
 * @example
 * ```ts
 * const interesting: WebhookEventType[] = ['ORDER.FILLED', 'ORDER.CANCELLED'];
 * ```
 */
export type WebhookEventType = WebhookEvent['type'];

/**
 * A category that has documented events (24 of them; PORTFOLIO and CORPORATE_ACTION have none
 * in API 1.9.0).
 *
 * @example
 * ```ts
 * const category: WebhookEventCategory = 'ORDER';
 * ```
 */
export type WebhookEventCategory = keyof typeof webhookEventTypesByCategory;

/**
 * The documented events of one category.
 *
 * @example
 * ```ts
 * function onOrder(event: EventOfCategory<'ORDER'>) {
 *   event.type; // 'ORDER.NEW' | 'ORDER.PROCESSING' | 'ORDER.FILLED' | 'ORDER.CANCELLED'
 * }
 * ```
 */
export type EventOfCategory<C extends WebhookEventCategory> = Extract<
  WebhookEvent,
  { type: `${C}.${string}` }
>;

/**
 * A delivered event of a documented type: `known` is `true`, `type` narrows the union.
 *
 * @example
 * ```ts
 * if (event.known && event.type === 'ORDER.FILLED') await fills.record(event.object);
 * ```
 */
export type KnownDeliveryEvent = WebhookEvent & { readonly known: true };

/**
 * A delivered event whose type this version does not know (Upvest adds event types over time,
 * e.g. `ACCOUNT_GROUP.UPDATED` from API 1.131.0). It is as verified and validated as any other
 * event: log it, store it, or ignore it; the batch does not fail because of it.
 *
 * @example
 * ```ts
 * if (!event.known) logger.warn({ type: event.type, id: event.id }, 'event type not handled yet');
 * ```
 */
export interface UnknownDeliveryEvent {
  readonly known: false;
  readonly id: string;
  readonly created_at: string;
  readonly type: string;
  readonly object: Record<string, unknown>;
  readonly webhook_id: string;
}

/**
 * One event of a verified delivery: check `known` first, then narrow on `type` (or with
 * {@link isEventOfCategory}).
 *
 * @example
 * ```ts
 * for (const event of events) {
 *   if (!event.known) continue;
 *   if (event.type === 'USER.CREATED') await users.create(event.object);
 * }
 * ```
 */
export type DeliveryEvent = KnownDeliveryEvent | UnknownDeliveryEvent;

const knownTypes: ReadonlySet<string> = new Set(webhookEventTypes);

/**
 * Whether a type string is one of the documented event types.
 *
 * @example
 * ```ts
 * isKnownEventType('USER.CREATED'); // true
 * isKnownEventType('SAVINGS_PLAN_EXECUTION.DATA_CHANGED'); // false (added after API 1.9.0)
 * ```
 */
export function isKnownEventType(type: string): type is WebhookEventType {
  return knownTypes.has(type);
}

/**
 * The category of an event type: the part before the first dot.
 *
 * @example
 * ```ts
 * eventCategory('USER_CHECK.PASSED'); // 'USER_CHECK'
 * eventCategory('TOPUP'); // 'TOPUP'
 * ```
 */
export function eventCategory(type: string): string {
  const dot = type.indexOf('.');
  return dot === -1 ? type : type.slice(0, dot);
}

/**
 * Narrows an event to one category's documented events. `USER` does not match `USER_CHECK`
 * events: the whole category must match.
 *
 * @example
 * ```ts
 * for (const event of events) {
 *   if (isEventOfCategory(event, 'USER')) console.log(event.type); // 'USER.CREATED' | 'USER.ACTIVATED' | …
 * }
 * ```
 */
export function isEventOfCategory<C extends WebhookEventCategory>(
  event: DeliveryEvent,
  category: C,
): event is KnownDeliveryEvent & EventOfCategory<C> {
  return event.known && eventCategory(event.type) === category;
}
