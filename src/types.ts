import type { components, operations } from '../generated/openapi.js';

type Schemas = components['schemas'];

/** A webhook subscription as the API returns it. Date-times stay RFC 3339 strings. */
export type Webhook = Schemas['Webhook'];
/** The body of `POST /webhooks`. `title` and `url` are required; `enabled` is not accepted (R8). */
export type WebhookCreateRequest = Schemas['WebhookCreateRequest'];
/** The body of `PATCH /webhooks/{webhook_id}`: every field optional. */
export type WebhookUpdateRequest = Schemas['WebhookUpdateRequest'];
/** Batching limits of a webhook (R5, R6). */
export type WebhookConfig = Schemas['WebhookConfig'];
/** One page of `GET /webhooks`. */
export type WebhookList = Schemas['WebhookList'];
/** Paging metadata of `GET /webhooks`. */
export type ListMeta = Schemas['ListMeta'];
/** An event category (`ALL`, `USER`, …). */
export type WebhookCategory = Schemas['WebhookCategory'];
/** `GET /auth/verify_keys`: the keys that verify deliveries. */
export type JsonWebKeySet = Schemas['JsonWebKeySet'];
/** One key of {@link JsonWebKeySet}. */
export type JsonWebKey = Schemas['JsonWebKey'];
/** An RFC 9457 problem document as Upvest sends it. */
export type Problem = Schemas['Problem'];
/** The answer of `POST /auth/token`. */
export type TokenResponse = Schemas['TokenResponse'];
/** Query parameters of `GET /webhooks`: sort, order, offset, limit. */
export type ListWebhooksQuery = NonNullable<operations['list_webhooks']['parameters']['query']>;
