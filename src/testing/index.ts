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
  type MockIncomingRequest,
  type MockVerification,
} from './mock-server.js';
