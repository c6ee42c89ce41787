/**
 * Test helpers for users of upvest-webhooks: an embedded mock of the webhook subscriptions API
 * that enforces the API's contract, and signed deliveries for testing a receiver.
 *
 * @example
 * ```ts
 * import { startMockServer } from 'upvest-webhooks/testing';
 *
 * const mock = await startMockServer({ requestSignatures: 'off' });
 * ```
 */
export {
  startMockServer,
  type MockServer,
  type MockServerOptions,
  type MockRequestRecord,
} from './mock-server.js';
export type { MockFault, PendingFault } from './mock-faults.js';
export type { OperationId } from '../../generated/constants.js';
export type { MockTriggerRequest, MockTriggerResult } from './mock-admin.js';
export type { MockDeliveryRecord, DeliveryTarget } from './mock-deliveries.js';
export type {
  MockIncomingRequest,
  MockVerification,
  MockRequestVerifier,
} from './mock-signatures.js';
export {
  createDeliveryEvent,
  signDelivery,
  deliveryKeyPairOf,
  generateDeliveryKeyPair,
  type SignDeliveryOptions,
  type SignedDelivery,
  type DeliveryKeyPair,
  type DeliveryEventInput,
} from './deliveries.js';
export { serveVerifyKeys, type VerifyKeysServer } from './verify-keys-server.js';
export { matchOperation, type OperationMatch } from './match-operation.js';
export { ruleCases, sendableRuleCases, type RuleCase } from './rule-cases.js';
