import { operations as operationTable } from '../../generated/constants.js';
import { validateTokenResponse } from '../../generated/validators-client.js';
import {
  hasControlCharacters,
  isBearerToken,
  type AccessTokenContext,
  type AccessTokenProvider,
} from '../wire/access-token.js';
import { parseProblem } from '../wire/problem.js';
import { causeCode, neverConnected } from '../wire/network-failure.js';
import { redactSecrets } from '../wire/redact.js';
import { runSigner, SignerFailure, type RequestSigner } from '../wire/signer.js';
import {
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestSigningError,
  UpvestTimeoutError,
} from '../errors.js';
import { upvestHeaders } from '../wire/upvest-headers.js';
import type { TokenResponse } from '../types.js';

/**
 * Options of {@link createOAuthTokenProvider}.
 *
 * @example
 * ```ts
 * const options: OAuthTokenProviderOptions = {
 *   baseUrl: UPVEST_SANDBOX_URL,
 *   clientId: process.env.UPVEST_CLIENT_ID!,
 *   clientSecret: process.env.UPVEST_CLIENT_SECRET!,
 *   signer: createUpvestSigner({ keyId, privateKey }),
 * };
 * ```
 */
export interface OAuthTokenProviderOptions {
  /** The API's base URL; the token endpoint is `${baseUrl}/auth/token`. */
  readonly baseUrl: string;
  /** The tenant's client id, sent as `client_id` and `upvest-client-id`. */
  readonly clientId: string;
  /** Never logged, never part of an error. */
  readonly clientSecret: string;
  /** Signs the token request over its final form bytes; Upvest requires it like on every other request. */
  readonly signer?: RequestSigner;
  /** The `fetch` to use; defaults to the global one. */
  readonly fetch?: typeof globalThis.fetch;
  /** The scope requested for reads and for writes (default `webhooks:read`, `webhooks:admin`). */
  readonly scopes?: { readonly read?: string; readonly write?: string };
  /**
   * Fetch a new token this long before the old one expires (default 30 s; Upvest's Python
   * example uses 5 s). Never more than half the token's lifetime, so short tokens are cached too.
   */
  readonly refreshBeforeExpirySeconds?: number;
  /** Time limit of one token request (default 30 s): a hung token endpoint must not hang every caller. */
  readonly timeoutMs?: number;
  /** The clock, in milliseconds; inject for tests. */
  readonly now?: () => number;
}

/**
 * The provider {@link createOAuthTokenProvider} returns: tokens always come asynchronously.
 *
 * @example
 * ```ts
 * const tokens: OAuthTokenProvider = createOAuthTokenProvider({ baseUrl, clientId, clientSecret });
 * const token = await tokens.getToken({ operation: 'list_webhooks', scopes: ['webhooks:read'] });
 * tokens.invalidate(token); // the next getToken fetches a new one
 * ```
 */
export interface OAuthTokenProvider extends AccessTokenProvider {
  /** A token with the scopes of `context`, cached until shortly before it expires. */
  getToken(context: AccessTokenContext): Promise<string>;
  /** Drops a cached token the API answered 401 to; the next `getToken` fetches a new one. */
  invalidate(token: string): void;
}

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

/** Statuses of `POST /auth/token` that mean "these credentials will not get this token". */
const REFUSED = new Set([400, 401, 403]);

/**
 * An {@link AccessTokenProvider} for the OAuth2 client-credentials flow of `POST /auth/token`:
 * one token per scope (`webhooks:read` for reads, `webhooks:admin` for writes), cached until
 * shortly before it expires, one request in flight however many callers wait, and a fresh token
 * after `invalidate` (the client calls it on a 401). A failed request rejects every waiter and
 * is not cached; the client, not the provider, retries it (429, 503, network failures).
 *
 * Errors: 400, 401 and 403 give {@link UpvestAuthenticationError}; other statuses
 * {@link UpvestApiError} with operation `issue_token`; no answer {@link UpvestNetworkError} or
 * {@link UpvestTimeoutError}; a failing signer {@link UpvestSigningError}. None of them
 * contains the client secret or a token.
 *
 * @example
 * ```ts
 * const signer = createUpvestSigner({ keyId, privateKey });
 * const client = createWebhooksClient({
 *   baseUrl: UPVEST_SANDBOX_URL,
 *   clientId,
 *   accessToken: createOAuthTokenProvider({ baseUrl: UPVEST_SANDBOX_URL, clientId, clientSecret, signer }),
 *   signer,
 * });
 * ```
 */
export function createOAuthTokenProvider(options: OAuthTokenProviderOptions): OAuthTokenProvider {
  if (!options.clientId || !options.clientSecret) {
    throw new UpvestConfigurationError(
      'clientId and clientSecret are required for the OAuth token provider',
    );
  }
  if (hasControlCharacters(options.clientId)) {
    throw new UpvestConfigurationError('clientId has control characters a header cannot carry');
  }
  const read = options.scopes?.read ?? 'webhooks:read';
  const write = options.scopes?.write ?? 'webhooks:admin';
  const now = options.now ?? Date.now;
  const margin = (options.refreshBeforeExpirySeconds ?? 30) * 1000;
  const endpoint = tokenEndpoint(options);
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();

  function scopeFor(context: AccessTokenContext): string {
    // Decided by the operation, not by the scope names, so custom scope names still work.
    const specScopes = operationTable[context.operation]?.scopes.flat() ?? context.scopes;
    return specScopes.includes('webhooks:read') || context.scopes.includes(read) ? read : write;
  }

  async function fetchAndCache(scope: string): Promise<string> {
    const answer = await requestToken(endpoint, scope);
    const { secrets } = endpoint;
    if (!secrets.includes(answer.access_token)) secrets.push(answer.access_token);
    const lifetime = answer.expires_in * 1000;
    cache.set(scope, {
      token: answer.access_token,
      refreshAt: now() + lifetime - Math.min(margin, lifetime / 2),
    });
    return answer.access_token;
  }

  return {
    getToken(context: AccessTokenContext): Promise<string> {
      const scope = scopeFor(context);
      const cached = cache.get(scope);
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      let pending = inFlight.get(scope);
      if (!pending) {
        pending = fetchAndCache(scope).finally(() => inFlight.delete(scope));
        inFlight.set(scope, pending);
      }
      return pending;
    },
    invalidate(token: string): void {
      // Only the token that was refused: a newer one fetched meanwhile stays.
      for (const [scope, cached] of cache) if (cached.token === token) cache.delete(scope);
    },
  };
}

/** What one token request needs, resolved once from the provider's options. */
interface TokenEndpoint {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly signer: RequestSigner | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  /** Grows as tokens are issued, so every later error body is redacted of them too. */
  readonly secrets: string[];
}

function tokenEndpoint(options: OAuthTokenProviderOptions): TokenEndpoint {
  return {
    url: `${options.baseUrl.replace(/\/+$/, '')}/auth/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    signer: options.signer,
    timeoutMs: options.timeoutMs ?? 30_000,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    // What a server might echo into an error body: the secret in any encoding, tokens it issued.
    secrets: [options.clientSecret],
  };
}

/** One `POST /auth/token` for `scope`: the token response, or the error that explains why not. */
async function requestToken(endpoint: TokenEndpoint, scope: string): Promise<TokenResponse> {
  const { url, timeoutMs, fetch } = endpoint;
  const body = new TextEncoder().encode(
    new URLSearchParams({
      client_id: endpoint.clientId,
      client_secret: endpoint.clientSecret,
      grant_type: 'client_credentials',
      scope,
    }).toString(),
  );
  const headers = new Headers({
    ...upvestHeaders(endpoint.clientId),
    'content-type': 'application/x-www-form-urlencoded',
  });
  if (endpoint.signer) await signTokenRequest(endpoint.signer, url, headers, body);
  const signal = AbortSignal.timeout(timeoutMs);
  const failed = (error: unknown) => noAnswerError(error, signal, timeoutMs);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal,
  }).catch((error: unknown) => {
    throw failed(error);
  });
  const text = await response.text().catch((error: unknown) => {
    throw failed(error);
  });
  let answer: unknown;
  try {
    answer = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: an HTML page from a proxy, say. The status decides what to throw.
    answer = undefined;
  }
  const requestId = response.headers.get('upvest-request-id') ?? undefined;
  throwUnlessOk(response, answer, { scope, requestId, secrets: endpoint.secrets });
  return tokenOf(answer, response.status, requestId);
}

/** Adds the signer's headers to the token request; a failing signer means nothing is sent. */
async function signTokenRequest(
  signer: RequestSigner,
  url: string,
  headers: Headers,
  body: Uint8Array,
): Promise<void> {
  try {
    const added = await runSigner(signer, { method: 'POST', url, headers, body });
    for (const [name, value] of Object.entries(added)) headers.set(name, value);
  } catch (error) {
    throw new UpvestSigningError({
      operation: 'issue_token',
      message: 'signing the token request failed; nothing was sent',
      cause: error instanceof SignerFailure ? error.cause : error,
    });
  }
}

/** The error for a token request that got no answer: timed out, or the network failed. */
function noAnswerError(
  error: unknown,
  signal: AbortSignal,
  timeoutMs: number,
): UpvestTimeoutError | UpvestNetworkError {
  if (signal.aborted) {
    return new UpvestTimeoutError({
      operation: 'issue_token',
      timeoutMs,
      requestMayHaveReachedServer: true,
      message: `the token request got no answer within ${timeoutMs} ms`,
    });
  }
  const code = causeCode(error);
  return new UpvestNetworkError({
    operation: 'issue_token',
    requestMayHaveReachedServer: !neverConnected(code),
    message: `the token request got no response (${code ?? 'network error'})`,
    cause: error,
  });
}

/** Throws for every status but a 2xx: refused credentials or scope, or any other API error. */
function throwUnlessOk(
  response: Response,
  answer: unknown,
  request: {
    readonly scope: string;
    readonly requestId: string | undefined;
    readonly secrets: string[];
  },
): void {
  const { scope, requestId } = request;
  if (REFUSED.has(response.status)) {
    throw new UpvestAuthenticationError({
      status: response.status,
      requestId,
      message:
        response.status === 403
          ? `Upvest refused a token with scope ${scope} (HTTP 403): the client may not be granted it`
          : `Upvest refused the client credentials (HTTP ${response.status}): check the client id, the secret and the signing key`,
    });
  }
  if (!response.ok) {
    const redirect = response.status >= 300 && response.status < 400;
    throw new UpvestApiError({
      operation: 'issue_token',
      status: response.status,
      problem: redactSecrets(parseProblem(answer), request.secrets),
      requestId,
      ...(redirect
        ? {
            message: `issue_token answered a redirect (HTTP ${response.status}); redirects are not followed`,
          }
        : {}),
    });
  }
}

/** The answer of a 2xx as a token response, or the response error saying why it is none. */
function tokenOf(answer: unknown, status: number, requestId: string | undefined): TokenResponse {
  // A 200 that is no token is the server's fault (a proxy's login page, a broken gateway), not
  // the credentials': it is a response error, and the CLI reports it as one.
  const notAToken = (detail: string) =>
    new UpvestResponseError({
      operation: 'issue_token',
      status,
      requestId,
      issues: [{ path: '', code: 'response.not_a_token', message: detail }],
      message: `the token response is not a token: ${detail}`,
    });
  if (!validateTokenResponse(answer)) throw notAToken('it breaks the TokenResponse schema');
  // RFC 6749 §5.1: token_type is case-insensitive, so `Bearer` is as good as `bearer`.
  if (answer.token_type.toLowerCase() !== 'bearer') {
    throw notAToken(`token_type ${JSON.stringify(answer.token_type.slice(0, 40))} is not bearer`);
  }
  if (!isBearerToken(answer.access_token)) {
    throw notAToken('access_token has characters a bearer token cannot carry');
  }
  return answer;
}
