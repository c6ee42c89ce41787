import { operations as operationTable, type OperationId } from '../../generated/constants.js';
import {
  validateJsonWebKeySet,
  validateWebhook,
  validateWebhookList,
  type SchemaValidator,
} from '../../generated/validators-client.js';
import {
  UpvestAbortError,
  UpvestApiError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestSigningError,
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
import type { ValidationIssue, ValidationResult } from '../validation-issue.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
} from '../validation/webhook.js';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import { algorithmForKey, toSigningKey, type KeyInput } from '../signing/keys.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import {
  hasControlCharacters,
  resolveAccessToken,
  type AccessTokenSource,
} from '../wire/access-token.js';
import { causeCode, neverConnected } from '../wire/network-failure.js';
import { parseProblem } from '../wire/problem.js';
import { redactSecrets, secretForms } from '../wire/redact.js';
import {
  backoffMs,
  isIdempotent,
  provablyNotProcessed,
  resolveRetryOptions,
  retryAfterMs,
  shouldRetry,
  type AttemptOutcome,
  type RetryOptions,
} from './retry-policy.js';
import { createApiClient, wireRequest, type ApiClient } from './transport.js';
import { SignerFailure, type RequestSigner } from '../wire/signer.js';

/**
 * Upvest's sandbox.
 *
 * @example
 * ```ts
 * createWebhooksClient({ baseUrl: UPVEST_SANDBOX_URL, clientId, clientSecret, keyId, privateKey });
 * ```
 */
export const UPVEST_SANDBOX_URL = 'https://sandbox.upvest.co';
/**
 * Upvest's live API.
 *
 * @example
 * ```ts
 * createWebhooksClient({ baseUrl: UPVEST_LIVE_URL, clientId, clientSecret, keyId, privateKey });
 * ```
 */
export const UPVEST_LIVE_URL = 'https://api.upvest.co';

/**
 * What the client does with a response body that breaks the schema or is not labelled JSON.
 *
 * @example
 * ```ts
 * const mode: ResponseValidationMode = process.env.CI ? 'strict' : 'warn';
 * ```
 */
export type ResponseValidationMode = 'off' | 'warn' | 'strict';

/**
 * Passed to {@link WebhooksClientOptions.onResponseIssues} in `warn` mode.
 *
 * @example
 * ```ts
 * const onResponseIssues = (report: ResponseIssuesReport) => log.warn(report.operation, report.issues);
 * ```
 */
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
  /**
   * The `fetch` to use; defaults to the global one. Inject one in tests. It is called as
   * `fetch(request, { signal })`: pass the `signal` of the second argument on (or both
   * arguments as they are), since it is what the attempt's timeout and the caller's abort fire.
   */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * Validate response bodies against the spec: `off`, `warn` (default) or `strict` (throw).
   * Properties the spec does not know are tolerated in every mode (a field Upvest adds must not
   * break a client); the conformance suite reports them as drift.
   */
  readonly responseValidation?: ResponseValidationMode;
  /** Receives schema issues of responses in `warn` mode; defaults to `console.warn`. */
  readonly onResponseIssues?: (report: ResponseIssuesReport) => void;
  /**
   * Retries with exponential backoff and full jitter, or after `Retry-After` (capped at
   * `maxDelayMs`): for 429, 503 and refused connections (every operation, as nothing was
   * processed) and for 502, 504, resets and timeouts (reads, updates and deletes only: never a
   * create or a test delivery). Default `{ maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 10000 }`;
   * `false` turns retries off. See docs/transport.md for the table per operation.
   */
  readonly retry?: RetryOptions | false;
  /**
   * Time limit of one attempt, waiting for a token included (default 30 s). Past it a read is
   * retried; a create is not, and throws {@link UpvestTimeoutError} with
   * `requestMayHaveReachedServer: true`.
   */
  readonly timeoutMs?: number;
  /**
   * Time limit of a call across all its attempts and waits (default 60 s). No retry starts, and
   * no backoff is waited, past it. Each page of `listAll` is its own call.
   */
  readonly deadlineMs?: number;
}

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

/** What openapi-fetch hands back for one attempt. */
interface RawResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
}

/** A successful attempt: the body still unparsed (JSON bodies are read as text). */
interface Answer {
  readonly data: unknown;
  readonly response: Response;
  readonly requestId: string | undefined;
  /** Secrets this call used, to scrub from what the body makes it into issues. */
  readonly secrets: readonly (string | undefined)[];
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
  checkClientId(options.clientId);
  const retry = resolveRetryOptions(options.retry);
  const timeoutMs = checkDuration('timeoutMs', options.timeoutMs ?? 30_000);
  const deadlineMs = checkDuration('deadlineMs', options.deadlineMs ?? 60_000);
  const signer = options.signer ?? signerFrom(options);
  const baseFetch: typeof globalThis.fetch =
    options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const api: ApiClient = createApiClient({ baseUrl });
  const mode = options.responseValidation ?? 'warn';
  const report =
    options.onResponseIssues ??
    ((r: ResponseIssuesReport) =>
      console.warn(
        `upvest-webhooks: ${r.operation} answered a body that breaks the spec`,
        r.issues,
      ));
  const tokenSource = options.accessToken ?? tokenProviderFrom(options, baseUrl, signer, timeoutMs);
  const invalidate =
    typeof tokenSource === 'object' ? tokenSource.invalidate?.bind(tokenSource) : undefined;
  // Known secrets are scrubbed from whatever a server echoes into an error.
  const staticSecrets = [
    typeof tokenSource === 'string' ? tokenSource : undefined,
    ...secretForms(options.clientSecret),
  ];

  function headersFor(token: string): Record<string, string> {
    return {
      'upvest-client-id': options.clientId,
      'upvest-api-version': '1',
      // Errors come as application/problem+json, which `application/json` alone does not match
      // under strict content negotiation (RFC 9110 §12.5.1).
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${token}`,
    };
  }

  function apiError(
    operation: OperationId,
    result: RawResult,
    secrets: readonly (string | undefined)[],
    note: string,
  ): UpvestApiError {
    const { response } = result;
    const status = response.status;
    const location = redactSecrets(response.headers.get('location') ?? 'nowhere', secrets);
    const base = {
      operation,
      status,
      problem: redactSecrets(parseProblem(result.error), secrets),
      requestId: response.headers.get('upvest-request-id') ?? undefined,
    };
    if (status >= 300 && status < 400) {
      return new UpvestApiError({
        ...base,
        message: `${operation} answered a redirect (HTTP ${status}) to ${location}; redirects are not followed`,
      });
    }
    if (!note) return new UpvestApiError(base);
    return new UpvestApiError({ ...base, message: `${new UpvestApiError(base).message}${note}` });
  }

  /**
   * Sends one operation. Each attempt resolves a token and is signed afresh, runs within
   * `min(timeoutMs, time left to the deadline)` and the caller's signal; a 401 invalidates the
   * token and repeats the attempt once; other failures are retried as `shouldRetry` allows.
   */
  async function send(
    operation: OperationId,
    call: (init: AttemptInit) => Promise<RawResult>,
    callerSignal?: AbortSignal,
  ): Promise<Answer> {
    const deadline = Date.now() + deadlineMs;
    const scopes = operationTable[operation].scopes.map((requirement) => requirement[0] ?? '');
    let refreshedAfter401 = false;
    // Set once an attempt may have reached the server and the call was repeated after it.
    let repeatedAfterUnknown = false;
    // An attempt is only started with at least this much time before the deadline.
    const leastUseful = Math.min(retry.minAttemptMs, timeoutMs);
    let lastFailure: UpvestWebhooksError | undefined;
    for (let attempt = 1; ; attempt++) {
      if (callerSignal?.aborted) throw new UpvestAbortError(operation, callerSignal.reason);
      const remaining = deadline - Date.now();
      // A repeat that cannot finish would trade the last definite answer for an ambiguous
      // timeout; the first attempt always runs.
      if (lastFailure && remaining < leastUseful) throw lastFailure;
      const limit = Math.max(1, Math.min(timeoutMs, remaining));
      const byDeadline = remaining < timeoutMs;
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), limit);
      const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
      let token: string | undefined;
      let handedOver = false;
      // Counts the request only once fetch has it: a signer or a token failure sends nothing.
      const fetchOnce = async (request: Request) => {
        const wire = await wireRequest(request, signer, signal);
        handedOver = true;
        return baseFetch(wire, { signal });
      };
      let failure: UpvestWebhooksError;
      let outcome: AttemptOutcome;
      // Failures of the token request are judged as that request, which is always safe to repeat.
      let judgedAs: OperationId = operation;
      let retryAfter: number | undefined;
      try {
        token = await untilAborted(resolveAccessToken(tokenSource, { operation, scopes }), signal);
        const result = await call({ headers: headersFor(token), signal, fetch: fetchOnce });
        const { response } = result;
        if (response.ok) {
          return {
            data: result.data,
            response,
            requestId: response.headers.get('upvest-request-id') ?? undefined,
            secrets: [...staticSecrets, token],
          };
        }
        if (response.status === 401 && invalidate && !refreshedAfter401) {
          // The token may have been revoked or have expired early: fetch a new one, once. A 401
          // means the request was not processed, so even a create may be repeated.
          invalidate(token);
          refreshedAfter401 = true;
          lastFailure = apiError(operation, result, [...staticSecrets, token], '');
          attempt -= 1;
          continue;
        }
        const note =
          operation === 'delete_webhook' && response.status === 404 && repeatedAfterUnknown
            ? '; an earlier attempt may already have deleted it'
            : '';
        failure = apiError(operation, result, [...staticSecrets, token], note);
        outcome = { kind: 'status', status: response.status };
        retryAfter = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (callerSignal?.aborted) throw new UpvestAbortError(operation, callerSignal.reason);
        if (timer.signal.aborted) {
          const what = byDeadline ? `the call's deadline of ${deadlineMs} ms` : `${limit} ms`;
          failure = new UpvestTimeoutError({
            operation,
            timeoutMs: limit,
            requestMayHaveReachedServer: handedOver,
            message: handedOver
              ? `${operation} got no answer within ${what}${mayHaveHappened(operation)}`
              : `${operation} was not sent within ${what}: ${token === undefined ? 'no access token came' : 'signing did not finish'}`,
          });
          outcome = handedOver ? { kind: 'timeout' } : { kind: 'network', reachedServer: false };
        } else if (token === undefined) {
          // The token source failed, so nothing was sent. Its request is judged on its own: a
          // 429, a 5xx, no answer are worth repeating; refused credentials and the errors of a
          // caller's own token function are not.
          judgedAs = 'issue_token';
          if (error instanceof UpvestApiError) {
            failure = error;
            outcome = { kind: 'status', status: (error as UpvestApiError).status };
          } else if (error instanceof UpvestNetworkError) {
            failure = error;
            outcome = { kind: 'network', reachedServer: error.requestMayHaveReachedServer };
          } else if (error instanceof UpvestTimeoutError) {
            failure = error;
            outcome = { kind: 'timeout' };
          } else {
            throw error;
          }
        } else {
          failure = transportError(operation, error, handedOver);
          if (!(failure instanceof UpvestNetworkError)) throw failure;
          outcome = { kind: 'network', reachedServer: failure.requestMayHaveReachedServer };
        }
      } finally {
        clearTimeout(timeout);
      }
      if (attempt >= retry.maxAttempts || !shouldRetry(judgedAs, outcome)) throw failure;
      const wait = backoffMs(attempt, retryAfter, retry);
      if (Date.now() + wait + leastUseful > deadline) throw failure;
      lastFailure = failure;
      if (judgedAs === operation && !provablyNotProcessed(outcome)) repeatedAfterUnknown = true;
      try {
        await untilAborted(retry.sleep(wait, callerSignal), callerSignal);
      } catch (reason) {
        throw new UpvestAbortError(operation, reason);
      }
    }
  }

  function checked<T>(operation: OperationId, validator: SchemaValidator<T>, answer: Answer): T {
    const { response, requestId } = answer;
    const status = response.status;
    const contentType = response.headers.get('content-type');
    const text = typeof answer.data === 'string' ? answer.data : '';
    if (text === '') {
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: [{ path: '', code: 'response.missing_body', message: 'the response has no body' }],
        message: `${operation} answered HTTP ${status} without the body the spec documents`,
      });
    }
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      // The parser's message quotes the body, which could echo anything: say what it was instead.
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: [{ path: '', code: 'response.invalid_json', message: 'the body is not JSON' }],
        message: redactSecrets(
          `${operation} answered HTTP ${status} with a body that is not JSON (content-type ${contentType ?? 'missing'}, ${text.length} characters)`,
          answer.secrets,
        ),
      });
    }
    if (mode === 'off') return data as T;
    const issues: ValidationIssue[] = [];
    if (!isJsonMediaType(contentType)) {
      issues.push({
        path: '',
        code: 'response.content_type',
        message: `the content-type is ${contentType ?? 'missing'}, not application/json`,
      });
    }
    // The tolerant reader: a property Upvest added since our spec is no breach of the contract,
    // so it neither warns nor throws (the conformance suite reports it as drift).
    if (!validator(data)) {
      issues.push(
        ...schemaIssues(validator.errors).filter((i) => i.code !== 'schema.additionalProperties'),
      );
    }
    if (issues.length === 0) return data as T;
    const safe = redactSecrets(issues, answer.secrets);
    if (mode === 'strict') {
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: safe,
        message: `${operation} answered a body that breaks the spec: ${safe.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
      });
    }
    report({ operation, status, requestId, issues: safe });
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
            ...readText(init),
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
            ...readText(init),
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
            ...readText(init),
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
            ...readText(init),
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
            ...readStream(init),
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
            ...readStream(init),
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
            ...readText(init),
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
  /** The attempt's own `fetch`, which notes that the request was handed to the network. */
  readonly fetch: (request: Request) => Promise<Response>;
}

/** An attempt's options for openapi-fetch, the body read as text to be parsed and checked here. */
const readText = (init: AttemptInit) => ({ ...init, parseAs: 'text' as const });

/** An attempt's options for openapi-fetch, the body left unread (202, 204: discarded). */
const readStream = (init: AttemptInit) => ({ ...init, parseAs: 'stream' as const });

/** The part of an error message that tells a caller a write may have happened. */
function mayHaveHappened(operation: OperationId): string {
  if (operation === 'create_webhook') {
    return '; the webhook may or may not have been created: list the webhooks before creating it again';
  }
  return isIdempotent(operation) ? '' : '; it may or may not have taken effect';
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T> | T, signal: AbortSignal | undefined): Promise<T> {
  const settled = Promise.resolve(promise);
  if (!signal) return settled;
  if (signal.aborted) {
    // The abandoned promise may still reject: nobody waits for it any more.
    settled.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settled.catch(() => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/** `application/json`, or any `application/*+json` such as problem+json, with or without parameters. */
function isJsonMediaType(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[^/]+\+json$/.test(type);
}

/** 202 and 204 carry no body; drain whatever came so the connection can be reused. */
async function discardBody(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel();
}

/** A v15 signer from `keyId` and `privateKey`, when both are given; the key is read once, now. */
function signerFrom(options: WebhooksClientOptions): RequestSigner | undefined {
  if (options.keyId === undefined && options.privateKey === undefined) return undefined;
  if (!options.keyId || options.privateKey === undefined) {
    throw new UpvestConfigurationError(
      'keyId and privateKey go together: give both to sign requests',
    );
  }
  const privateKey = toSigningKey(options.privateKey);
  // Refuses key types the profile cannot sign with now, not at the first request.
  algorithmForKey(privateKey);
  return createUpvestSigner({ keyId: options.keyId, privateKey });
}

/** The OAuth token provider from `clientSecret`, when no `accessToken` is given. */
function tokenProviderFrom(
  options: WebhooksClientOptions,
  baseUrl: string,
  signer: RequestSigner | undefined,
  timeoutMs: number,
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
    timeoutMs,
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
  // fetch refuses such URLs with a message that quotes them, password included.
  if (url.username || url.password) {
    throw new UpvestConfigurationError('baseUrl must not contain a user name or password');
  }
  return baseUrl.replace(/\/+$/, '');
}

function checkClientId(clientId: string): void {
  // A header value with control characters makes Request throw with the value quoted.
  if (typeof clientId !== 'string' || clientId === '' || hasControlCharacters(clientId)) {
    throw new UpvestConfigurationError('clientId must be a non-empty header-safe string');
  }
}

function checkDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new UpvestConfigurationError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** Maps what an attempt threw after the token was resolved into our error tree. */
function transportError(
  operation: OperationId,
  error: unknown,
  handedOver: boolean,
): UpvestWebhooksError {
  if (error instanceof SignerFailure) {
    const cause = error.cause;
    const why = cause instanceof UpvestWebhooksError ? `: ${cause.message}` : '';
    return new UpvestSigningError({
      operation,
      message: `signing the ${operation} request failed; nothing was sent${why}`,
      cause,
    });
  }
  if (error instanceof UpvestWebhooksError) return error;
  if (!handedOver) {
    // Building the request failed before anything was sent (a header value, a URL).
    return new UpvestConfigurationError(`${operation} could not be sent: the request is invalid`, {
      cause: error,
    });
  }
  const code = causeCode(error);
  const never = neverConnected(code);
  return new UpvestNetworkError({
    operation,
    requestMayHaveReachedServer: !never,
    message: `${operation} got no response (${code ?? 'network error'})${never ? '; the request did not reach the server' : mayHaveHappened(operation) || '; it may or may not have reached the server'}`,
    cause: error,
  });
}
