import { validateTokenResponse } from '../../generated/validators.js';
import type { AccessTokenContext, AccessTokenProvider } from '../client/access-token.js';
import type { RequestSigner } from '../client/transport.js';
import {
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
} from '../errors.js';

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
  readonly baseUrl: string;
  readonly clientId: string;
  /** Never logged, never part of an error. */
  readonly clientSecret: string;
  /** Signs the token request; Upvest requires it like on every other request. */
  readonly signer?: RequestSigner;
  readonly fetch?: typeof globalThis.fetch;
  /** The scope requested for reads and for writes (default `webhooks:read`, `webhooks:admin`). */
  readonly scopes?: { readonly read?: string; readonly write?: string };
  /** Fetch a new token this long before the old one expires (default 30 s). */
  readonly refreshBeforeExpirySeconds?: number;
  /** The clock, in milliseconds; inject for tests. */
  readonly now?: () => number;
}

/** The provider {@link createOAuthTokenProvider} returns: tokens always come asynchronously. */
export interface OAuthTokenProvider extends AccessTokenProvider {
  getToken(context: AccessTokenContext): Promise<string>;
  invalidate(token: string): void;
}

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

/**
 * An {@link AccessTokenProvider} for the OAuth2 client-credentials flow of `POST /auth/token`:
 * one token per scope, cached until shortly before it expires, one request in flight however
 * many callers wait, and a fresh token after `invalidate` (the client calls it on a 401).
 *
 * @example
 * ```ts
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
  const read = options.scopes?.read ?? 'webhooks:read';
  const write = options.scopes?.write ?? 'webhooks:admin';
  const now = options.now ?? Date.now;
  const margin = (options.refreshBeforeExpirySeconds ?? 30) * 1000;
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();
  const url = `${options.baseUrl.replace(/\/+$/, '')}/auth/token`;

  async function requestToken(scope: string): Promise<string> {
    const body = new TextEncoder().encode(
      new URLSearchParams({
        client_id: options.clientId,
        client_secret: options.clientSecret,
        grant_type: 'client_credentials',
        scope,
      }).toString(),
    );
    const headers = new Headers({
      'upvest-client-id': options.clientId,
      'upvest-api-version': '1',
      accept: 'application/json, application/problem+json',
      'content-type': 'application/x-www-form-urlencoded',
    });
    if (options.signer) {
      for (const [name, value] of Object.entries(
        await options.signer({ method: 'POST', url, headers, body }),
      )) {
        headers.set(name, value);
      }
    }
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
      });
    } catch (error) {
      throw new UpvestNetworkError({
        operation: 'issue_token',
        requestMayHaveReachedServer: true,
        message: 'the token request got no response',
        cause: error,
      });
    }
    const requestId = response.headers.get('upvest-request-id') ?? undefined;
    const answer: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw new UpvestAuthenticationError({
        status: response.status,
        requestId,
        message:
          response.status === 401
            ? 'Upvest refused the client credentials (HTTP 401): check the client id, the secret and the signing key'
            : `the token request failed with HTTP ${response.status}`,
      });
    }
    if (!validateTokenResponse(answer)) {
      throw new UpvestAuthenticationError({
        status: response.status,
        requestId,
        message: 'the token response is not a token',
      });
    }
    cache.set(scope, {
      token: answer.access_token,
      refreshAt: now() + answer.expires_in * 1000 - margin,
    });
    return answer.access_token;
  }

  return {
    getToken(context: AccessTokenContext): Promise<string> {
      const scope = context.scopes.includes(read) ? read : write;
      const cached = cache.get(scope);
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      let pending = inFlight.get(scope);
      if (!pending) {
        pending = requestToken(scope).finally(() => inFlight.delete(scope));
        inFlight.set(scope, pending);
      }
      return pending;
    },
    invalidate(token: string): void {
      for (const [scope, cached] of cache) if (cached.token === token) cache.delete(scope);
    },
  };
}
