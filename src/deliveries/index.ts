/**
 * Receiving webhook deliveries: verify the signature, parse typed events in order, hand each
 * event over once.
 *
 * @example
 * ```ts
 * import { createNodeDeliveryHandler, createVerificationKeyProvider } from 'upvest-webhooks';
 * ```
 */
export {
  checkDeliveryHeaders,
  verifyDelivery,
  type DeliveryRequest,
  type DeliveryFailure,
  type DeliveryFailureReason,
  type DeliverySignature,
  type DigestHeader,
  type VerifiedDelivery,
  type VerifyDeliveryOptions,
} from './verify.js';
export { parseDelivery, type ParsedDelivery } from './parse.js';
export { compareCreatedAt } from './created-at.js';
export {
  createVerificationKeyProvider,
  VerificationKeysUnavailableError,
  type VerificationKeyProvider,
  type VerificationKeyProviderOptions,
} from './keys.js';
export {
  createDeliveryProcessor,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  type DeliveryAnswer,
  type DeliveryContext,
  type DeliveryHandlerOptions,
} from './processor.js';
export { createFetchDeliveryHandler, createNodeDeliveryHandler } from './handler.js';
export {
  createMemoryDedupeStore,
  type DedupeClaim,
  type DeliveryDedupeStore,
  type MemoryDedupeStoreOptions,
} from './dedupe.js';
export {
  eventCategory,
  isEventOfCategory,
  isKnownEventType,
  type DeliveryEvent,
  type EventOfCategory,
  type KnownDeliveryEvent,
  type UnknownDeliveryEvent,
  type WebhookEvent,
  type WebhookEventCategory,
  type WebhookEventType,
} from './events.js';
