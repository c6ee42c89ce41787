/**
 * upvest-webhooks: a typed client, business-rule validators and errors for the webhook
 * subscriptions of the Upvest Investment API. Receiving deliveries lives in
 * `upvest-webhooks/receiver`, test helpers in `upvest-webhooks/testing`, the conformance suite in
 * `upvest-webhooks/conformance`.
 *
 * @example
 * ```ts
 * import { createWebhooksClient, UPVEST_SANDBOX_URL } from 'upvest-webhooks';
 * ```
 */
export {
  createWebhooksClient,
  type CallOptions,
  type WebhooksClient,
} from './client/webhooks-client.js';
export {
  UPVEST_LIVE_URL,
  UPVEST_SANDBOX_URL,
  type ResponseIssuesReport,
  type ResponseValidationMode,
  type WebhooksClientOptions,
} from './client/options.js';
export type {
  AccessTokenContext,
  AccessTokenProvider,
  AccessTokenSource,
} from './wire/access-token.js';
export type { OutgoingRequest, RequestSigner } from './wire/signer.js';
export { createRedactor, type Redactor } from './wire/redact.js';
export type { Logger, LogFields } from './wire/logger.js';
export { readEnvironment, type EnvironmentSettings } from './environment.js';
export { packageVersion } from './version.js';
export type { RetryOptions } from './client/retry-policy.js';
export {
  createOAuthTokenProvider,
  type OAuthTokenProvider,
  type OAuthTokenProviderOptions,
} from './auth/oauth-token-provider.js';
export {
  validateCreateWebhook,
  validateUpdateWebhook,
  validateListQuery,
  validateWebhookId,
  type RuleOptions,
} from './validation/webhook.js';
export { validateWebhookUrl } from './rules/url.js';
export type { DelayPolicy } from './rules/delay.js';
export { isWebhookCategory } from './rules/categories.js';
export { ruleCodes, type RuleCode } from './rules/codes.js';
export type { ValidationIssue, ValidationResult } from './validation-issue.js';
export {
  UpvestAbortError,
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestTimeoutError,
  UpvestValidationError,
  UpvestWebhooksError,
  UpvestSigningError,
  MissingComponentError,
  VerificationKeysUnavailableError,
  isUpvestApiError,
  isUpvestWebhooksError,
  type UpvestErrorCode,
  type UpvestErrorsByCode,
} from './errors.js';
// Upvest's signing profile; the general RFC 9421 helpers are on `upvest-webhooks/signing`.
export {
  createUpvestSigner,
  upvestSignatureHeaders,
  verifyUpvestRequest,
  UPVEST_SIGNATURE_VERSION,
  type UpvestSigningOptions,
  type VerifyUpvestRequestOptions,
} from './signing/upvest-profile.js';
export type { KeyLookup, SignatureFailureReason, SignatureVerification } from './signing/verify.js';
export type { KeyInput, SigningJwk } from './signing/keys.js';
export type { EcdsaEncoding } from './signing/algorithm-names.js';
export type { HttpMessage } from './signing/message.js';
export {
  probeWebhookUrl,
  PROBE_HEADER,
  type ProbeOptions,
  type ProbeResult,
  type ProbeCheck,
  type ProbeStatus,
} from './probe/probe.js';
export {
  webhookCategories,
  webhookEventTypes,
  webhookEventTypesByCategory,
} from '../generated/constants.js';
export type {
  JsonWebKey,
  JsonWebKeySet,
  ListMeta,
  ListWebhooksQuery,
  Problem,
  TokenResponse,
  Webhook,
  WebhookCategory,
  WebhookConfig,
  WebhookCreateRequest,
  WebhookList,
  WebhookUpdateRequest,
} from './types.js';
