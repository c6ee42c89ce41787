import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { oauthScopes } from '../../generated/constants.js';
import { validateTokenRequest } from '../../generated/validators.js';
import type { TokenResponse } from '../types.js';
import { schemaIssues } from '../validation/schema-issues.js';
import { problems } from './mock-problem.js';

/** The scopes of the webhook operations (facts §1, §10); the token endpoint grants no others. */
const KNOWN_SCOPES: ReadonlySet<string> = new Set(oauthScopes);

/** What a token grants, and until when. */
interface Grant {
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
}

/**
 * The mock's bearer tokens: opaque random base64url strings (facts §10: Upvest's are opaque),
 * each with its scopes and an expiry read from the injected clock. One store per mock instance.
 *
 * @example
 * ```ts
 * const tokens = new TokenStore(3600, () => new Date());
 * const token = tokens.issue(['webhooks:read']);
 * tokens.grant(token)?.scopes.has('webhooks:read'); // true
 * ```
 */
export class TokenStore {
  readonly #grants = new Map<string, Grant>();

  constructor(
    readonly lifetimeSeconds: number,
    private readonly now: () => Date,
  ) {}

  /** A new token for these scopes, valid for `lifetimeSeconds` from now. */
  issue(scopes: Iterable<string>): string {
    // 32 random bytes: as unguessable as a real token, and within the Authorization pattern.
    const token = randomBytes(32).toString('base64url');
    this.#grants.set(token, {
      scopes: new Set(scopes),
      expiresAt: this.now().getTime() + this.lifetimeSeconds * 1000,
    });
    return token;
  }

  /** The grant of a live token; an unknown or expired one is `undefined` (and forgotten). */
  grant(token: string): Grant | undefined {
    const grant = this.#grants.get(token);
    if (grant && grant.expiresAt <= this.now().getTime()) {
      this.#grants.delete(token);
      return undefined;
    }
    return grant;
  }

  clear(): void {
    this.#grants.clear();
  }
}

/**
 * Whether granted scopes satisfy an operation's security requirements: any one requirement,
 * with every scope it lists (OpenAPI semantics). Reads list `[webhooks:read]` and
 * `[webhooks:admin]` as alternatives, writes only `[webhooks:admin]` (facts §2.1, §12.3).
 *
 * @example
 * ```ts
 * scopesSatisfy([['webhooks:read'], ['webhooks:admin']], new Set(['webhooks:admin'])); // true
 * scopesSatisfy([['webhooks:admin']], new Set(['webhooks:read'])); // false
 * ```
 */
export function scopesSatisfy(
  requirements: readonly (readonly string[])[],
  granted: ReadonlySet<string>,
): boolean {
  if (requirements.length === 0) return true;
  return requirements.some((requirement) => requirement.every((scope) => granted.has(scope)));
}

/** Compares secrets in constant time; hashing first makes the lengths equal. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `POST /auth/token` (facts §10): the form must match the `TokenRequest` schema (400 with
 * details), `client_id` must equal both the `upvest-client-id` header and the tenant's id and
 * the secret must match (401, without saying which), and every requested scope must be a known
 * one (400). The answer is `{ access_token, expires_in, token_type: 'bearer', scope }`.
 *
 * @example
 * ```ts
 * const answer = exchangeClientCredentials(form, headers['upvest-client-id'], credentials, tokens);
 * ```
 */
export function exchangeClientCredentials(
  form: Record<string, string>,
  clientIdHeader: string | undefined,
  credentials: { readonly clientId: string; readonly clientSecret: string },
  tokens: TokenStore,
): TokenResponse {
  if (!validateTokenRequest(form)) {
    throw problems.badRequest(
      'the token request is invalid',
      schemaIssues(validateTokenRequest.errors),
    );
  }
  const known =
    form.client_id === credentials.clientId &&
    clientIdHeader === credentials.clientId &&
    sameSecret(form.client_secret, credentials.clientSecret);
  if (!known) throw problems.unauthorised('the client credentials are wrong');
  // RFC 6749 §3.3: space-delimited; the same scope twice is granted once.
  const scopes = [...new Set(form.scope.split(' ').filter(Boolean))];
  const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
  if (scopes.length === 0) throw problems.badRequest('the scope is empty');
  // The unknown names are not echoed: a misplaced secret must not come back in an answer.
  if (unknown.length > 0) {
    throw problems.badRequest(
      `the scope names ${unknown.length} unknown scope(s); known: ${[...KNOWN_SCOPES].join(', ')}`,
    );
  }
  return {
    access_token: tokens.issue(scopes),
    expires_in: tokens.lifetimeSeconds,
    token_type: 'bearer',
    scope: scopes.join(' '),
  };
}
