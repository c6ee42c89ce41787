import { type RequestSigner } from '../../src/index.js';
import { upvestApiVersion } from '../../generated/constants.js';

/**
 * Client credentials for a run. The secret never appears in any report.
 *
 * @example
 * ```ts
 * const credentials: ConformanceCredentials = { clientId, clientSecret };
 * ```
 */
export interface ConformanceCredentials {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly accessToken?: string;
}

/**
 * `POST /auth/token` with the client-credentials form, signed through the same seam as every
 * other request. Returns the access token, or undefined when the answer is not a token.
 *
 * @example
 * ```ts
 * const token = await fetchAccessToken(fetch, 'https://sandbox.upvest.co', { clientId, clientSecret }, signer);
 * ```
 */
export async function fetchAccessToken(
  fetch: typeof globalThis.fetch,
  baseUrl: string,
  credentials: Required<Pick<ConformanceCredentials, 'clientId' | 'clientSecret'>>,
  signer: RequestSigner | undefined,
  scope = 'webhooks:read webhooks:admin',
): Promise<string | undefined> {
  const url = `${baseUrl.replace(/\/+$/, '')}/auth/token`;
  const body = new URLSearchParams({
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    grant_type: 'client_credentials',
    scope,
  }).toString();
  const headers = new Headers({
    'upvest-client-id': credentials.clientId,
    'upvest-api-version': upvestApiVersion,
    accept: 'application/json, application/problem+json',
    'content-type': 'application/x-www-form-urlencoded',
  });
  const bytes = new TextEncoder().encode(body);
  if (signer) {
    for (const [name, value] of Object.entries(
      await signer({ method: 'POST', url, headers, body: bytes }),
    )) {
      headers.set(name, value);
    }
  }
  const response = await fetch(url, { method: 'POST', headers, body: bytes, redirect: 'manual' });
  if (!response.ok) return undefined;
  const answer = (await response.json().catch(() => undefined)) as
    { access_token?: unknown } | undefined;
  return typeof answer?.access_token === 'string' ? answer.access_token : undefined;
}
