import type { OperationId } from '../../generated/constants.js';
import {
  validateJsonWebKeySet,
  validateWebhook,
  validateWebhookList,
  type SchemaValidator,
} from '../../generated/validators-client.js';
import { UpvestValidationError } from '../errors.js';
import type {
  JsonWebKeySet,
  ListWebhooksQuery,
  Webhook,
  WebhookCreateRequest,
  WebhookList,
  WebhookUpdateRequest,
} from '../types.js';
import type { ValidationResult } from '../validation-issue.js';
import { wireSnapshot } from '../validation/wire-snapshot.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
} from '../validation/webhook.js';
import { createSender } from './attempts.js';
import {
  resolveClientOptions,
  type ClientSettings,
  type WebhooksClientOptions,
} from './options.js';
import { createResponseChecker } from './response-check.js';
import type { AttemptInit, RawResult } from './transport.js';

/**
 * Per-call options.
 *
 * @example
 * ```ts
 * await client.list({}, { signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface CallOptions {
  /**
   * Aborts the call: the attempt in flight, a wait for a token, a backoff. The promise rejects
   * with {@link UpvestAbortError} at once and no further attempt starts.
   */
  readonly signal?: AbortSignal;
}

/**
 * A client for the webhook subscriptions of the Upvest Investment API. Every method validates
 * its input first and throws {@link UpvestValidationError} without sending anything when it is
 * invalid; a non-2xx answer throws {@link UpvestApiError}. A body or query is read once, as a
 * JSON copy, when the call starts: that copy is what is checked and what every attempt sends.
 *
 * @example
 * ```ts
 * const client = createWebhooksClient({ baseUrl, clientId, accessToken });
 * const webhook = await client.create({
 *   title: 'User webhook',
 *   url: 'https://tenant.tld/webhooks/users',
 *   type: ['USER'],
 *   config: { delay: '2s', max_package_size: 51200 },
 * });
 * await client.enable(webhook.id);
 * ```
 */
export interface WebhooksClient {
  /** `POST /webhooks`: registers a webhook. It starts disabled (R8). */
  create(input: WebhookCreateRequest, options?: CallOptions): Promise<Webhook>;
  /** `GET /webhooks`: one page. */
  list(query?: ListWebhooksQuery, options?: CallOptions): Promise<WebhookList>;
  /** Every webhook, page after page (`GET /webhooks` with a growing offset). */
  listAll(query?: Omit<ListWebhooksQuery, 'offset'>, options?: CallOptions): AsyncIterable<Webhook>;
  /** `GET /webhooks/{webhook_id}`. */
  retrieve(webhookId: string, options?: CallOptions): Promise<Webhook>;
  /** `PATCH /webhooks/{webhook_id}`: a partial update. */
  update(webhookId: string, patch: WebhookUpdateRequest, options?: CallOptions): Promise<Webhook>;
  /** `PATCH` with `enabled: true`: deliveries start. */
  enable(webhookId: string, options?: CallOptions): Promise<Webhook>;
  /** `PATCH` with `enabled: false`: deliveries stop. */
  disable(webhookId: string, options?: CallOptions): Promise<Webhook>;
  /** `DELETE /webhooks/{webhook_id}`; resolves once the API answered 204. */
  delete(webhookId: string, options?: CallOptions): Promise<void>;
  /** `POST /webhooks/{webhook_id}/test`; resolves once the API answered 202 (delivery is asynchronous). */
  test(webhookId: string, options?: CallOptions): Promise<void>;
  /** `GET /auth/verify_keys`: the keys that verify deliveries. */
  verificationKeys(options?: CallOptions): Promise<JsonWebKeySet>;
}

/**
 * Creates a {@link WebhooksClient}. Each call returns an independent instance: there is no global
 * state.
 *
 * @example
 * ```ts
 * import { createWebhooksClient, UPVEST_SANDBOX_URL } from 'upvest-webhooks';
 *
 * const client = createWebhooksClient({
 *   baseUrl: UPVEST_SANDBOX_URL,
 *   clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
 *   accessToken: 'c2VjcmV0Cg==',
 * });
 * for await (const webhook of client.listAll()) console.log(webhook.title);
 * ```
 */
export function createWebhooksClient(options: WebhooksClientOptions): WebhooksClient {
  const settings = resolveClientOptions(options);
  const { read, act } = createOperations(settings);
  const { api } = settings;

  const client: WebhooksClient = {
    async create(input, call) {
      const body = requireValidCopy('the webhook', input, validateCreateWebhook);
      return read(
        'create_webhook',
        validateWebhook,
        (init) => api.createWebhook(body, init),
        call?.signal,
      );
    },

    async list(query = {}, call) {
      const params = requireValidCopy('the list query', query, validateListQuery);
      return read(
        'list_webhooks',
        validateWebhookList,
        (init) => api.listWebhooks(params, init),
        call?.signal,
      );
    },

    listAll(query = {}, call) {
      return { [Symbol.asyncIterator]: () => everyWebhook(client, query, call) };
    },

    async retrieve(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      return read(
        'retrieve_webhook',
        validateWebhook,
        (init) => api.retrieveWebhook(id, init),
        call?.signal,
      );
    },

    async update(webhookId, patch, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      const body = requireValidCopy('the webhook update', patch, validateUpdateWebhook);
      return read(
        'update_webhook',
        validateWebhook,
        (init) => api.updateWebhook(id, body, init),
        call?.signal,
      );
    },

    enable(webhookId, call) {
      return client.update(webhookId, { enabled: true }, call);
    },

    disable(webhookId, call) {
      return client.update(webhookId, { enabled: false }, call);
    },

    async delete(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      return act('delete_webhook', (init) => api.deleteWebhook(id, init), call?.signal);
    },

    async test(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      return act('test_webhook', (init) => api.testWebhook(id, init), call?.signal);
    },

    async verificationKeys(call) {
      return read(
        'get_jwks',
        validateJsonWebKeySet,
        (init) => api.verificationKeys(init),
        call?.signal,
      );
    },
  };
  return client;
}

/** How every method runs its operation, once the input is valid: sent with retries, then checked. */
function createOperations(settings: ClientSettings) {
  const send = createSender(settings);
  const checked = createResponseChecker(settings);

  /** One operation whose answer has a body the spec documents: sent, parsed, checked. */
  async function read<T>(
    operation: OperationId,
    validator: SchemaValidator<T>,
    call: (init: AttemptInit) => Promise<RawResult>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return checked(operation, validator, await send(operation, call, signal));
  }

  /** One operation answered without a body (202, 204): sent, whatever came drained. */
  async function act(
    operation: OperationId,
    call: (init: AttemptInit) => Promise<RawResult>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await discardBody((await send(operation, call, signal)).response);
  }

  return { read, act };
}

function requireValid<T>(what: string, result: ValidationResult<T>): T {
  if (!result.ok) throw new UpvestValidationError(what, result.issues);
  return result.value;
}

/**
 * The wire copy of a body or query, validated: what is sent is what was checked, whatever the
 * caller does with its object afterwards (wireSnapshot).
 */
function requireValidCopy<T>(
  what: string,
  input: unknown,
  validate: (copy: unknown) => ValidationResult<T>,
): T {
  const copy = wireSnapshot(input);
  return requireValid(what, copy.ok ? validate(copy.value) : copy);
}

/** Every webhook of `client.listAll`: page after page, until a page is empty or the total is reached. */
async function* everyWebhook(
  client: WebhooksClient,
  query: Omit<ListWebhooksQuery, 'offset'>,
  call: CallOptions | undefined,
): AsyncGenerator<Webhook> {
  if (query.limit === 0) {
    throw new UpvestValidationError('the list query', [
      {
        path: '/limit',
        code: 'list.limit_zero',
        message: 'limit 0 returns empty pages, so listing everything would never finish',
      },
    ]);
  }
  let offset = 0;
  for (;;) {
    const page = await client.list({ ...query, offset }, call);
    yield* page.data;
    offset += page.data.length;
    if (page.data.length === 0 || offset >= page.meta.total_count) return;
  }
}

/** 202 and 204 carry no body; drain whatever came so the connection can be reused. */
async function discardBody(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel();
}
