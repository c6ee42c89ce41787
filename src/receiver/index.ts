/**
 * `upvest-webhooks/receiver`: everything a service that only receives deliveries needs (verify,
 * parse, deduplicate, hand over, the Node and Fetch handlers, the key provider), without the
 * client, its validators, the OAuth provider or the probe. These names live here only; the main
 * entry is the client's.
 *
 * @example
 * ```ts
 * import { createNodeDeliveryHandler, createVerificationKeyProvider } from 'upvest-webhooks/receiver';
 *
 * const handler = createNodeDeliveryHandler({ keys: upvestKeys, onEvents: (events) => queue.push(events) });
 * ```
 */
export {
  checkDeliveryHeaders,
  verifyDelivery,
  type DeliveryRequest,
  type DeliveryFailure,
  type DeliveryFailureReason,
  type DeliveryKeyLookup,
  type DeliverySignature,
  type DigestHeader,
  type VerifiedDelivery,
  type VerifyDeliveryOptions,
} from './verify.js';
export { parseDelivery, type ParsedDelivery } from './parse.js';
export { rawEventText } from './raw-events.js';
export { compareCreatedAt } from './created-at.js';
export {
  createVerificationKeyProvider,
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
export { VerificationKeysUnavailableError, isUpvestWebhooksError } from '../errors.js';
export type { JsonWebKey, JsonWebKeySet } from '../types.js';
export type { Logger, LogFields } from '../wire/logger.js';
