import type { webhookEventTypesByCategory } from '../../generated/constants.js';
import { webhookEventTypes } from '../../generated/constants.js';
import type { components } from '../../generated/openapi.js';

/** A documented event: a union over the 24 categories, narrowed by `type`. */
export type WebhookEvent = components['schemas']['WebhookEvent'];
/** Every documented event type string, e.g. `USER.CREATED`. */
export type WebhookEventType = WebhookEvent['type'];
/** A category that has documented events. */
export type WebhookEventCategory = keyof typeof webhookEventTypesByCategory;
/** The documented events of one category. */
export type EventOfCategory<C extends WebhookEventCategory> = Extract<
  WebhookEvent,
  { type: `${C}.${string}` }
>;

/** A delivered event of a documented type. */
export type KnownDeliveryEvent = WebhookEvent & { readonly known: true };

/**
 * A delivered event whose type this version does not know (Upvest adds event types over time).
 * It is valid and verified; log it, store it, or ignore it, but do not fail the batch for it.
 */
export interface UnknownDeliveryEvent {
  readonly known: false;
  readonly id: string;
  readonly created_at: string;
  readonly type: string;
  readonly object: Record<string, unknown>;
  readonly webhook_id: string;
}

/** One event of a verified delivery: check `known` first, then narrow on `type`. */
export type DeliveryEvent = KnownDeliveryEvent | UnknownDeliveryEvent;

const knownTypes: ReadonlySet<string> = new Set(webhookEventTypes);

/** Whether a type string is documented. */
export function isKnownEventType(type: string): type is WebhookEventType {
  return knownTypes.has(type);
}

/**
 * Narrows an event to one category's documented events.
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
  return event.known && event.type.startsWith(`${category}.`);
}

/**
 * A sort key for RFC 3339 timestamps with up to nine fractional digits: `Date` keeps only
 * milliseconds, and Upvest's events carry nanoseconds.
 */
export function timestampKey(value: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)$/.exec(
    value,
  );
  if (!match) return undefined;
  const seconds = Date.parse(
    `${match[1]}T${match[2]}${match[4]?.toUpperCase() === 'Z' ? 'Z' : match[4]}`,
  );
  if (Number.isNaN(seconds)) return undefined;
  const nanos = (match[3] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(seconds / 1000) * 1_000_000_000n + BigInt(nanos);
}
