/**
 * Test helpers for users of upvest-webhooks: an embedded mock of the webhook subscriptions API.
 *
 * @example
 * ```ts
 * import { startMockServer } from 'upvest-webhooks/testing';
 * ```
 */
export {
  startMockServer,
  type MockServer,
  type MockServerOptions,
  type MockRequestRecord,
  type MockDeliveryRecord,
  type MockIncomingRequest,
  type MockVerification,
} from './mock-server.js';
export {
  signDelivery,
  generateDeliveryKeyPair,
  type SignDeliveryOptions,
  type SignedDelivery,
  type DeliveryKeyPair,
  type DeliveryEventInput,
} from '../deliveries/testing.js';
