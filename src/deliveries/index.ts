/**
 * Receiving webhook deliveries: verify the signature, parse typed events, hand them over once.
 *
 * @example
 * ```ts
 * import { createNodeDeliveryHandler } from 'upvest-webhooks';
 * ```
 */
export {
  verifyDelivery,
  type DeliveryRequest,
  type VerifyDeliveryOptions,
  type VerifiedDelivery,
  type DeliveryFailureReason,
} from './verify.js';
export { parseDelivery, type ParsedDelivery } from './parse.js';
export { createVerificationKeyProvider, type VerificationKeyProviderOptions } from './keys.js';
export {
  createNodeDeliveryHandler,
  createFetchDeliveryHandler,
  processDelivery,
  type DeliveryHandlerOptions,
  type DeliveryContext,
  type DeliveryAnswer,
} from './handler.js';
export {
  createMemoryDedupeStore,
  type DeliveryDedupeStore,
  type MemoryDedupeStoreOptions,
} from './dedupe.js';
export {
  isEventOfCategory,
  isKnownEventType,
  type DeliveryEvent,
  type KnownDeliveryEvent,
  type UnknownDeliveryEvent,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookEventCategory,
  type EventOfCategory,
} from './events.js';
