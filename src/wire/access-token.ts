import type { OperationId } from '../../generated/constants.js';
import { UpvestConfigurationError } from '../errors.js';

/**
 * What a token provider is told about the request it authorizes.
 *
 * @example
 * ```ts
 * const context: AccessTokenContext = { operation: 'list_webhooks', scopes: ['webhooks:read', 'webhooks:admin'] };
 * ```
 */
export interface AccessTokenContext {
  /** The operation about to be sent, e.g. `create_webhook`. */
  readonly operation: OperationId;
  /**
   * Scopes that authorize the operation, any one of which suffices (the spec lists
   * `webhooks:read` and `webhooks:admin` for reads, `webhooks:admin` for writes).
   */
  readonly scopes: readonly string[];
}

/**
 * Supplies bearer tokens. `invalidate` is called when the API rejects a token with 401, so the
 * next `getToken` fetches a fresh one.
 *
 * @example
 * ```ts
 * const provider: AccessTokenProvider = {
 *   async getToken({ scopes }) { return cache.tokenFor(scopes); },
 *   invalidate(token) { cache.drop(token); },
 * };
 * ```
 */
export interface AccessTokenProvider {
  /** A token for the operation and scopes of `context`, fetched or cached. */
  getToken(context: AccessTokenContext): Promise<string> | string;
  /** Forgets a token the API answered 401 to. */
  invalidate?(token: string): void;
}

/**
 * A bearer token: a fixed string, a function of the request's context, or a provider.
 *
 * @example
 * ```ts
 * const fixed: AccessTokenSource = 'c2VjcmV0Cg==';
 * const dynamic: AccessTokenSource = async ({ scopes }) => fetchToken(scopes);
 * ```
 */
export type AccessTokenSource =
  string | ((context: AccessTokenContext) => Promise<string> | string) | AccessTokenProvider;

/** RFC 6750 token68, the shape the spec's `authorization` pattern allows. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Whether a value can be sent as `authorization: Bearer <value>` (RFC 6750 token68).
 *
 * @example
 * ```ts
 * isBearerToken('c2VjcmV0Cg=='); // true
 * isBearerToken('two words'); // false
 * ```
 */
export function isBearerToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/**
 * Whether a string has control characters (CR, LF, NUL, DEL, …), which no header value may
 * carry; `Headers` would throw with the value quoted in its message.
 *
 * @example
 * ```ts
 * hasControlCharacters('abc\r\n'); // true
 * ```
 */
export function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Resolves a token source for one request and checks that the token can go in a header.
 *
 * @example
 * ```ts
 * const token = await resolveAccessToken(source, { operation: 'list_webhooks', scopes: ['webhooks:read'] });
 * ```
 */
export async function resolveAccessToken(
  source: AccessTokenSource,
  context: AccessTokenContext,
): Promise<string> {
  return checkedToken(
    typeof source === 'string'
      ? source
      : typeof source === 'function'
        ? await source(context)
        : await source.getToken(context),
  );
}

/**
 * A token that can go in a header, or an {@link UpvestConfigurationError}: what
 * {@link resolveAccessToken} checks, for a caller that holds a fixed token and need not wait
 * for a promise.
 *
 * @example
 * ```ts
 * checkedToken('c2VjcmV0Cg=='); // 'c2VjcmV0Cg=='
 * ```
 */
export function checkedToken(token: unknown): string {
  // The message never repeats the token: it is a secret.
  if (!isBearerToken(token)) {
    throw new UpvestConfigurationError(
      'the access token is empty or has characters a bearer token cannot have (RFC 6750)',
    );
  }
  return token;
}
