import { operations as operationTable, type OperationId } from '../../generated/constants.js';
import {
  validateJsonWebKeySet,
  validateWebhook,
  validateWebhookList,
  type SchemaValidator,
} from '../../generated/validators.js';
import {
  UpvestAbortError,
  UpvestApiError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestTimeoutError,
  UpvestValidationError,
  UpvestWebhooksError,
} from '../errors.js';
import type {
  JsonWebKeySet,
  ListWebhooksQuery,
  Webhook,
  WebhookCreateRequest,
  WebhookList,
  WebhookUpdateRequest,
} from '../types.js';
import { schemaIssues } from '../validation/schema-issues.js';
import type { ValidationIssue, ValidationResult } from '../validation/issue.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
} from '../validation/webhook.js';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import type { KeyInput } from '../signing/keys.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import { resolveAccessToken, type AccessTokenSource } from './access-token.js';
import { parseProblem } from './problem.js';
import {
  backoffMs,
  isIdempotent,
  retryAfterMs,
  shouldRetry,
  type AttemptOutcome,
  type RetryOptions,
} from './retry-policy.js';
import { createApiClient, type ApiClient, type RequestSigner } from './transport.js';

/** Upvest's sandbox. */
export const UPVEST_SANDBOX_URL = 'https://sandbox.upvest.co';
/** Upvest's live API. */
export const UPVEST_LIVE_URL = 'https://api.upvest.co';

/** What the client does with a response body that breaks the schema. */
export type ResponseValidationMode = 'off' | 'warn' | 'strict';

/** Passed to {@link WebhooksClientOptions.onResponseIssues} in `warn` mode. */
export interface ResponseIssuesReport {
  readonly operation: OperationId;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly issues: readonly ValidationIssue[];
}

/**
 * Options of {@link createWebhooksClient}.
 *
 * @example
 * ```ts
 * const options: WebhooksClientOptions = {
 *   baseUrl: UPVEST_SANDBOX_URL,
 *   clientId: process.env.UPVEST_CLIENT_ID!,
 *   accessToken: async ({ scopes }) => myTokenCache.get(scopes),
 * };
 * ```
 */
export interface WebhooksClientOptions {
  /** The API's base URL, e.g. {@link UPVEST_SANDBOX_URL}; a mock server's URL in tests. */
  readonly baseUrl: string;
  /** The tenant's client id, sent as `upvest-client-id` on every request. */
  readonly clientId: string;
  /**
   * The bearer token: a fixed string, a function, or a provider that is told which operation
   * and scopes it is for (`webhooks:read` for reads, `webhooks:admin` for writes). Omit it and
   * give `clientSecret` to have the client fetch tokens itself.
   */
  readonly accessToken?: AccessTokenSource;
  /** The client secret: with it and no `accessToken`, tokens come from `POST /auth/token`. Never logged. */
  readonly clientSecret?: string;
  /** Signs every request after serialization (HTTP message signatures). Omit it and give `keyId` and `privateKey` to sign with Upvest's v15 profile. */
  readonly signer?: RequestSigner;
  /** The key id Upvest issued for your public key; with `privateKey`, requests are signed. */
  readonly keyId?: string;
  /** Your ECDSA P-521 (or Ed25519) private key: PEM, JWK or KeyObject. Never logged. */
  readonly privateKey?: KeyInput;
  /** The `fetch` to use; defaults to the global one. Inject one in tests. */
  readonly fetch?: typeof globalThis.fetch;
  /** Validate response bodies against the spec: `off`, `warn` (default) or `strict` (throw). */
  readonly responseValidation?: ResponseValidationMode;
  /** Receives schema issues of responses in `warn` mode; defaults to `console.warn`. */
  readonly onResponseIssues?: (report: ResponseIssuesReport) => void;
  /**
   * Retries with exponential backoff and jitter for 429, 503 and refused connections (every
   * operation) and for 502, 504, resets and timeouts (idempotent operations only: never a
   * create). `false` turns retries off.
   */
  readonly retry?: RetryOptions | false;
  /** Time limit of one attempt (default 30 s). */
  readonly timeoutMs?: number;
  /** Time limit of a call across all its attempts and waits (default 60 s). */
  readonly deadlineMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request; the promise rejects with {@link UpvestAbortError}. */
  readonly signal?: AbortSignal;
}

/**
 * A client for the webhook subscriptions of the Upvest Investment API. Every method validates
 * its input first and throws {@link UpvestValidationError} without sending anything when it is
 * invalid; a non-2xx answer throws {@link UpvestApiError}.
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

interface RawResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
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
  const baseUrl = checkBaseUrl(options.baseUrl);
  const signer = options.signer ?? signerFrom(options);
  const api: ApiClient = createApiClient({
    baseUrl,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    signer,
  });
  const mode = options.responseValidation ?? 'warn';
  const report =
    options.onResponseIssues ??
    ((r: ResponseIssuesReport) =>
      console.warn(
        `upvest-webhooks: ${r.operation} answered a body that breaks the spec`,
        r.issues,
      ));

  const retry: RetryOptions = options.retry === false ? { maxAttempts: 1 } : (options.retry ?? {});
  const maxAttempts = Math.max(1, retry.maxAttempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadlineMs = options.deadlineMs ?? 60_000;
  const tokenSource = options.accessToken ?? tokenProviderFrom(options, baseUrl, signer);
  const invalidate =
    typeof tokenSource === 'object' ? tokenSource.invalidate?.bind(tokenSource) : undefined;

  async function headersFor(operation: OperationId) {
    const scopes = operationTable[operation].scopes.map((requirement) => requirement[0] ?? '');
    const token = await resolveAccessToken(tokenSource, { operation, scopes });
    const headers = {
      'upvest-client-id': options.clientId,
      'upvest-api-version': '1',
      // Errors come as application/problem+json, which `application/json` alone does not match
      // under strict content negotiation (RFC 9110 §12.5.1).
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${token}`,
    };
    return { headers, token };
  }

  function apiError(operation: OperationId, result: RawResult): UpvestApiError {
    const { response } = result;
    return new UpvestApiError({
      operation,
      status: response.status,
      problem: parseProblem(result.error),
      requestId: response.headers.get('upvest-request-id') ?? undefined,
      ...(response.status >= 300 && response.status < 400
        ? {
            message: `${operation} answered a redirect (HTTP ${response.status}) to ${response.headers.get('location') ?? 'nowhere'}; redirects are not followed`,
          }
        : {}),
    });
  }

  /**
   * Sends one operation: a fresh token and signature per attempt, one token refresh on 401, and
   * retries as `shouldRetry` allows, within the per-attempt timeout, the total deadline and the
   * caller's signal.
   */
  async function send(
    operation: OperationId,
    call: (init: AttemptInit) => Promise<RawResult>,
    callerSignal?: AbortSignal,
  ) {
    const deadline = Date.now() + deadlineMs;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      if (callerSignal?.aborted) throw new UpvestAbortError(operation, callerSignal.reason);
      const remaining = deadline - Date.now();
      const { headers, token } = await headersFor(operation);
      const limit = Math.max(1, Math.min(timeoutMs, remaining));
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), limit);
      const signal = callerSignal
        ? AbortSignal.any([callerSignal, controller.signal])
        : controller.signal;
      let failure: UpvestWebhooksError;
      let outcome: AttemptOutcome;
      let retryAfter: number | undefined;
      try {
        const result = await call({ headers, signal });
        const { response } = result;
        if (response.ok)
          return {
            data: result.data,
            response,
            requestId: response.headers.get('upvest-request-id') ?? undefined,
          };
        if (response.status === 401 && invalidate && !refreshed) {
          // The token may have been revoked or expired early: fetch a new one, once.
          invalidate(token);
          refreshed = true;
          attempt -= 1;
          continue;
        }
        failure = apiError(operation, result);
        outcome = { kind: 'status', status: response.status };
        retryAfter = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (callerSignal?.aborted) throw new UpvestAbortError(operation, error);
        if (controller.signal.aborted) {
          failure = new UpvestTimeoutError({
            operation,
            timeoutMs: limit,
            requestMayHaveReachedServer: true,
            message: `${operation} got no answer within ${limit} ms${mayHaveHappened(operation)}`,
          });
          outcome = { kind: 'timeout' };
        } else {
          failure = transportError(operation, error, callerSignal);
          if (!(failure instanceof UpvestNetworkError)) throw failure;
          outcome = { kind: 'network', reachedServer: failure.requestMayHaveReachedServer };
        }
      } finally {
        clearTimeout(timer);
      }
      if (attempt >= maxAttempts || !shouldRetry(operation, outcome)) throw failure;
      const wait = backoffMs(attempt, retryAfter, retry);
      if (Date.now() + wait >= deadline) throw failure;
      await sleep(wait, callerSignal).catch((reason: unknown) => {
        throw new UpvestAbortError(operation, reason);
      });
    }
  }

  function checked<T>(
    operation: OperationId,
    validator: SchemaValidator<T>,
    outcome: { data: unknown; response: Response; requestId: string | undefined },
  ): T {
    const { data, response, requestId } = outcome;
    if (data === undefined) {
      throw new UpvestResponseError({
        operation,
        status: response.status,
        requestId,
        issues: [{ path: '', code: 'response.missing_body', message: 'the response has no body' }],
        message: `${operation} answered HTTP ${response.status} without the body the spec documents`,
      });
    }
    if (mode === 'off' || validator(data)) return data as T;
    const issues = schemaIssues(validator.errors);
    if (mode === 'strict') {
      throw new UpvestResponseError({
        operation,
        status: response.status,
        requestId,
        issues,
        message: `${operation} answered a body that breaks the spec: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
      });
    }
    report({ operation, status: response.status, requestId, issues });
    return data as T;
  }

  function requireValid<T>(what: string, result: ValidationResult<T>): T {
    if (!result.ok) throw new UpvestValidationError(what, result.issues);
    return result.value;
  }

  const client: WebhooksClient = {
    async create(input, call) {
      const body = requireValid('the webhook', validateCreateWebhook(input));
      const outcome = await send(
        'create_webhook',
        (init) =>
          api.POST('/webhooks', {
            body,
            headers: init.headers,
            signal: init.signal,
          }),
        call?.signal,
      );
      return checked('create_webhook', validateWebhook, outcome);
    },

    async list(query = {}, call) {
      const params = requireValid('the list query', validateListQuery(query));
      const outcome = await send(
        'list_webhooks',
        (init) =>
          api.GET('/webhooks', {
            params: { query: params },
            headers: init.headers,
            signal: init.signal,
          }),
        call?.signal,
      );
      return checked('list_webhooks', validateWebhookList, outcome);
    },

    listAll(query = {}, call) {
      return {
        [Symbol.asyncIterator]: async function* () {
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
        },
      };
    },

    async retrieve(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      const outcome = await send(
        'retrieve_webhook',
        (init) =>
          api.GET('/webhooks/{webhook_id}', {
            params: { path: { webhook_id: id } },
            headers: init.headers,
            signal: init.signal,
          }),
        call?.signal,
      );
      return checked('retrieve_webhook', validateWebhook, outcome);
    },

    async update(webhookId, patch, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      const body = requireValid('the webhook update', validateUpdateWebhook(patch));
      const outcome = await send(
        'update_webhook',
        (init) =>
          api.PATCH('/webhooks/{webhook_id}', {
            params: { path: { webhook_id: id } },
            body,
            headers: init.headers,
            signal: init.signal,
          }),
        call?.signal,
      );
      return checked('update_webhook', validateWebhook, outcome);
    },

    enable(webhookId, call) {
      return client.update(webhookId, { enabled: true }, call);
    },

    disable(webhookId, call) {
      return client.update(webhookId, { enabled: false }, call);
    },

    async delete(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      const outcome = await send(
        'delete_webhook',
        (init) =>
          api.DELETE('/webhooks/{webhook_id}', {
            params: { path: { webhook_id: id } },
            headers: init.headers,
            parseAs: 'stream',
            signal: init.signal,
          }),
        call?.signal,
      );
      await discardBody(outcome.response);
    },

    async test(webhookId, call) {
      const id = requireValid('the webhook id', validateWebhookId(webhookId));
      const outcome = await send(
        'test_webhook',
        (init) =>
          api.POST('/webhooks/{webhook_id}/test', {
            params: { path: { webhook_id: id } },
            headers: init.headers,
            parseAs: 'stream',
            signal: init.signal,
          }),
        call?.signal,
      );
      await discardBody(outcome.response);
    },

    async verificationKeys(call) {
      const outcome = await send(
        'get_jwks',
        (init) =>
          api.GET('/auth/verify_keys', {
            headers: init.headers,
            signal: init.signal,
          }),
        call?.signal,
      );
      return checked('get_jwks', validateJsonWebKeySet, outcome);
    },
  };
  return client;
}

/** What one attempt sends besides the operation's own parameters. */
interface AttemptInit {
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
}

/** The part of an error message that tells a caller a write may have happened. */
function mayHaveHappened(operation: OperationId): string {
  if (operation === 'create_webhook') {
    return '; the webhook may or may not have been created: list the webhooks before creating it again';
  }
  return isIdempotent(operation) ? '' : '; it may or may not have taken effect';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** 202 and 204 carry no body; drain whatever came so the connection can be reused. */
async function discardBody(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel();
}

/** A v15 signer from `keyId` and `privateKey`, when both are given. */
function signerFrom(options: WebhooksClientOptions): RequestSigner | undefined {
  if (options.keyId === undefined && options.privateKey === undefined) return undefined;
  if (options.keyId === undefined || options.privateKey === undefined) {
    throw new UpvestConfigurationError(
      'keyId and privateKey go together: give both to sign requests',
    );
  }
  return createUpvestSigner({ keyId: options.keyId, privateKey: options.privateKey });
}

/** The OAuth token provider from `clientSecret`, when no `accessToken` is given. */
function tokenProviderFrom(
  options: WebhooksClientOptions,
  baseUrl: string,
  signer: RequestSigner | undefined,
): AccessTokenSource {
  if (options.clientSecret === undefined) {
    throw new UpvestConfigurationError(
      'give accessToken, or clientSecret to fetch tokens from POST /auth/token',
    );
  }
  return createOAuthTokenProvider({
    baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(signer ? { signer } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new UpvestConfigurationError(`baseUrl is not a URL: ${JSON.stringify(baseUrl)}`, {
      cause,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UpvestConfigurationError(`baseUrl must be an http(s) URL, got ${url.protocol}`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/** Maps what `fetch` threw into our error tree. */
function transportError(
  operation: OperationId,
  error: unknown,
  signal?: AbortSignal,
): UpvestWebhooksError {
  if (error instanceof UpvestWebhooksError) return error;
  if (signal?.aborted) return new UpvestAbortError(operation, error);
  if (error instanceof SyntaxError) {
    return new UpvestResponseError({
      operation,
      status: 0,
      requestId: undefined,
      issues: [{ path: '', code: 'response.invalid_json', message: error.message }],
      message: `${operation} answered a body that is not JSON`,
      cause: error,
    });
  }
  const code = causeCode(error);
  const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new UpvestNetworkError({
    operation,
    requestMayHaveReachedServer: !refused,
    message: `${operation} got no response (${code ?? 'network error'})${refused ? '; the request did not reach the server' : mayHaveHappened(operation) || '; it may or may not have reached the server'}`,
    cause: error,
  });
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
