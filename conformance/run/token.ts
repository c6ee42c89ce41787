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
 * What a token request may change from the usual one, to attack the token endpoint: form fields
 * (`undefined` leaves a field out), the `upvest-client-id` header, or the signature.
 *
 * @example
 * ```ts
 * const change: TokenRequestChange = { form: { grant_type: 'password' } };
 * ```
 */
export interface TokenRequestChange {
  readonly form?: Readonly<Record<string, string | undefined>>;
  readonly clientIdHeader?: string;
  readonly signed?: boolean;
  /** The fields as a JSON object (`application/json`) instead of a form. */
  readonly json?: boolean;
}

/**
 * Sends `POST /auth/token` with the client-credentials form, signed through the same seam as
 * every other request, with `change` applied.
 *
 * @example
 * ```ts
 * const response = await sendTokenRequest(fetch, baseUrl, { clientId, clientSecret }, signer);
 * ```
 */
export async function sendTokenRequest(
  fetch: typeof globalThis.fetch,
  baseUrl: string,
  credentials: Required<Pick<ConformanceCredentials, 'clientId' | 'clientSecret'>>,
  signer: RequestSigner | undefined,
  change: TokenRequestChange & { readonly scope?: string } = {},
): Promise<Response> {
  const url = `${baseUrl.replace(/\/+$/, '')}/auth/token`;
  const fields: Record<string, string | undefined> = {
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    grant_type: 'client_credentials',
    scope: change.scope ?? 'webhooks:read webhooks:admin',
    ...change.form,
  };
  const present = Object.entries(fields).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  const body = change.json
    ? JSON.stringify(Object.fromEntries(present))
    : new URLSearchParams(present).toString();
  const headers = new Headers({
    'upvest-client-id': change.clientIdHeader ?? credentials.clientId,
    'upvest-api-version': upvestApiVersion,
    accept: 'application/json, application/problem+json',
    'content-type': change.json ? 'application/json' : 'application/x-www-form-urlencoded',
  });
  const bytes = new TextEncoder().encode(body);
  if (signer && change.signed !== false) {
    for (const [name, value] of Object.entries(
      await signer({ method: 'POST', url, headers, body: bytes }),
    )) {
      headers.set(name, value);
    }
  }
  return fetch(url, { method: 'POST', headers, body: bytes, redirect: 'manual' });
}

/** A token, or why there is none: the server's status and title, or that it did not answer. */
export type TokenOutcome =
  | { readonly token: string }
  | { readonly token?: undefined; readonly reason: string; readonly answered: boolean };

/** `HTTP 401 (Unauthorized: the client secret is wrong)` from a problem body, if it has one. */
async function refusal(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as
    { title?: unknown; detail?: unknown } | undefined;
  const said = [body?.title, body?.detail].filter((part) => typeof part === 'string').join(': ');
  return `HTTP ${response.status}${said ? ` (${said})` : ''}`;
}

/**
 * `POST /auth/token` with the client-credentials form, signed through the same seam as every
 * other request. Resolves with the access token, or with why there is none; never rejects.
 *
 * @example
 * ```ts
 * const outcome = await fetchAccessToken(fetch, 'https://sandbox.upvest.co', { clientId, clientSecret }, signer);
 * if (outcome.token === undefined) console.log(outcome.reason); // e.g. 'HTTP 401 (Unauthorized)'
 * ```
 */
export async function fetchAccessToken(
  fetch: typeof globalThis.fetch,
  baseUrl: string,
  credentials: Required<Pick<ConformanceCredentials, 'clientId' | 'clientSecret'>>,
  signer: RequestSigner | undefined,
  scope = 'webhooks:read webhooks:admin',
): Promise<TokenOutcome> {
  let response: Response;
  try {
    response = await sendTokenRequest(fetch, baseUrl, credentials, signer, { scope });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    return { reason: `no answer (${cause})`, answered: false };
  }
  if (!response.ok) return { reason: await refusal(response), answered: true };
  const answer = (await response.json().catch(() => undefined)) as
    { access_token?: unknown } | undefined;
  return typeof answer?.access_token === 'string'
    ? { token: answer.access_token }
    : { reason: `HTTP ${response.status} without an access_token`, answered: true };
}
