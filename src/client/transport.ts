/**
 * The only module that knows openapi-fetch. openapi-fetch is in maintenance mode upstream
 * (openapi-typescript issue 2874), so everything else talks to the narrow `ApiClient` seam below;
 * replacing the library means rewriting this file, not the client.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import { runSigner, SignerFailure, type RequestSigner } from '../wire/signer.js';

/**
 * A typed, method-per-verb HTTP client for the paths of our spec.
 *
 * @example
 * ```ts
 * const { data, response } = await api.GET('/webhooks', { headers });
 * ```
 */
export type ApiClient = Client<paths>;

/**
 * Options of {@link createApiClient}.
 *
 * @example
 * ```ts
 * const options: TransportOptions = { baseUrl: UPVEST_SANDBOX_URL };
 * ```
 */
export interface TransportOptions {
  readonly baseUrl: string;
}

/**
 * The request that goes on the wire for one attempt: the request as built, or with a signer a
 * signed copy. The caller sends it with `fetch(wire, { signal })`, so the copy fetch makes
 * follows the attempt's `signal` itself. Neither request may carry a signal of its own: undici
 * makes a new request's signal follow the old one's through a weak reference, so once the
 * intermediate request is collected a timeout or a caller's abort never reaches the socket (the
 * call then hangs until the server gives up). The caller holds `signal` for as long as the
 * attempt runs.
 *
 * @example
 * ```ts
 * const wire = await wireRequest(request, signer);
 * const response = await fetch(wire, { signal: attemptSignal });
 * ```
 */
export async function wireRequest(
  request: Request,
  signer: RequestSigner | undefined,
): Promise<Request> {
  // Unsigned, nothing changes: a copy here would only repeat the one fetch makes.
  if (!signer) return request;
  const bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers = new Headers(request.headers);
  const added = await runSigner(signer, {
    method: request.method,
    url: request.url,
    headers,
    body: bytes,
  });
  try {
    for (const [name, value] of Object.entries(added)) headers.set(name, value);
  } catch (error) {
    // A header name or value the signer returned that HTTP cannot carry.
    throw new SignerFailure(error);
  }
  return new Request(request.url, {
    method: request.method,
    headers,
    redirect: request.redirect,
    ...(bytes ? { body: bytes } : {}),
  });
}

/**
 * Builds the openapi-fetch client our facade drives. Redirects are never followed (R3). Each
 * call passes its own `fetch`, which puts the request through {@link wireRequest}.
 *
 * @example
 * ```ts
 * const api = createApiClient({ baseUrl });
 * await api.GET('/webhooks', { headers, fetch: async (request) => fetch(await wireRequest(request, signer), { signal }) });
 * ```
 */
export function createApiClient(options: TransportOptions): ApiClient {
  return createClient<paths>({ baseUrl: options.baseUrl, redirect: 'manual' });
}
