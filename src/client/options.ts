import { log, type Logger } from '../wire/logger.js';
import { quietTelemetry, type Telemetry } from '../wire/telemetry.js';
import { serverUrls, type OperationId } from '../../generated/constants.js';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import { UpvestConfigurationError } from '../errors.js';
import { algorithmForKey, toSigningKey, type KeyInput } from '../signing/keys.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import type { ValidationIssue } from '../validation-issue.js';
import { hasControlCharacters, type AccessTokenSource } from '../wire/access-token.js';
import type { RequestSigner } from '../wire/signer.js';
import {
  resolveRetryOptions,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry-policy.js';
import { createApiClient, type ApiClient } from './transport.js';

/**
 * Upvest's sandbox.
 *
 * @example
 * ```ts
 * createWebhooksClient({ baseUrl: UPVEST_SANDBOX_URL, clientId, clientSecret, keyId, privateKey });
 * ```
 */
export const UPVEST_SANDBOX_URL = serverUrls[0];
/**
 * Upvest's live API.
 *
 * @example
 * ```ts
 * createWebhooksClient({ baseUrl: UPVEST_LIVE_URL, clientId, clientSecret, keyId, privateKey });
 * ```
 */
export const UPVEST_LIVE_URL = serverUrls[1];

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
  /**
   * Receives schema issues of responses in `warn` mode; by default they go to `logger.warn` (the
   * operation, how many issues, the first one's path and code).
   */
  readonly onResponseIssues?: (report: ResponseIssuesReport) => void;
  /**
   * Where the client reports what it would otherwise keep to itself: each repeat of a call and
   * why (warn), a token fetched again after a 401 (info), responses that break the spec (warn).
   * Silent by default. Never a body, a token or a secret.
   */
  readonly logger?: Logger;
  /**
   * Where each call is traced (a client span per operation, HTTP semantic conventions, an event
   * per attempt, the resend count): `openTelemetry()` of `upvest-webhooks/telemetry`. Nothing is
   * recorded without it. Never a body, a header value or a token.
   */
  readonly telemetry?: Telemetry;
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
 * The options of {@link WebhooksClientOptions} checked, with their defaults, and what follows
 * from them: the signer, the token source, the secrets to scrub from errors. Built once per
 * client; everything here is fixed for its life.
 */
export interface ClientSettings {
  readonly clientId: string;
  readonly retry: ResolvedRetryOptions;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly signer: RequestSigner | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly api: ApiClient;
  readonly responseValidation: ResponseValidationMode;
  readonly onResponseIssues: (report: ResponseIssuesReport) => void;
  readonly logger: Logger | undefined;
  readonly telemetry: Telemetry;
  /** Host and port of the base URL, for the spans' `server.address` and `server.port`. */
  readonly server: { readonly address: string; readonly port: number };
  readonly tokenSource: AccessTokenSource;
  /** Drops a token the API refused, when the source can. */
  readonly invalidate: ((token: string) => void) | undefined;
  /** Known secrets, scrubbed from whatever a server echoes into an error. */
  readonly staticSecrets: readonly (string | undefined)[];
}

/**
 * Checks a client's options and fills in the defaults; throws {@link UpvestConfigurationError}
 * for options no request could succeed with, before anything is sent.
 *
 * @example
 * ```ts
 * const settings = resolveClientOptions({ baseUrl, clientId, accessToken: 'c2VjcmV0Cg==' });
 * settings.timeoutMs; // 30000
 * ```
 */
export function resolveClientOptions(options: WebhooksClientOptions): ClientSettings {
  // Checked in this order, so the first mistake is the one reported.
  const baseUrl = checkBaseUrl(options.baseUrl);
  checkClientId(options.clientId);
  const retry = resolveRetryOptions(options.retry);
  const timeoutMs = checkDuration('timeoutMs', options.timeoutMs ?? 30_000);
  const deadlineMs = checkDuration('deadlineMs', options.deadlineMs ?? 60_000);
  const signer = options.signer ?? signerFrom(options);
  const tokenSource = options.accessToken ?? tokenProviderFrom(options, baseUrl, signer, timeoutMs);
  return {
    clientId: options.clientId,
    retry,
    timeoutMs,
    deadlineMs,
    signer,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    api: createApiClient({ baseUrl }),
    responseValidation: options.responseValidation ?? 'warn',
    onResponseIssues:
      options.onResponseIssues ??
      ((r: ResponseIssuesReport) =>
        log(options.logger, 'warn', `${r.operation} answered a body that breaks the spec`, {
          operation: r.operation,
          issues: r.issues.length,
          first: r.issues[0] && `${r.issues[0].path || '/'} ${r.issues[0].code}`,
        })),
    logger: options.logger,
    telemetry: quietTelemetry(options.telemetry),
    server: serverOf(baseUrl),
    tokenSource,
    invalidate:
      typeof tokenSource === 'object' ? tokenSource.invalidate?.bind(tokenSource) : undefined,
    staticSecrets: [
      typeof tokenSource === 'string' ? tokenSource : undefined,
      options.clientSecret,
    ],
  };
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

/** The host and port a base URL addresses (the scheme's default port when it names none). */
function serverOf(baseUrl: string): { address: string; port: number } {
  const url = new URL(baseUrl);
  const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  return { address: url.hostname, port };
}
