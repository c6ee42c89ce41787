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
 * The request that goes on the wire for one attempt: signed when there is a signer, and bound to
 * `signal` itself. It must not be bound to `request.signal`: undici makes a new request's signal
 * follow the old one's through a weak reference, so once the intermediate request is collected
 * a timeout or a caller's abort never reaches the socket (the call then hangs until the
 * server gives up). The caller holds `signal` for as long as the attempt runs.
 *
 * @example
 * ```ts
 * const wire = await wireRequest(request, signer, attemptSignal);
 * const response = await fetch(wire);
 * ```
 */
export async function wireRequest(
  request: Request,
  signer: RequestSigner | undefined,
  signal: AbortSignal,
): Promise<Request> {
  const bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers = new Headers(request.headers);
  if (signer) {
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
  }
  return new Request(request.url, {
    method: request.method,
    headers,
    redirect: request.redirect,
    signal,
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
 * await api.GET('/webhooks', { headers, signal, fetch: (request) => fetch(wireRequest(request, signer, signal)) });
 * ```
 */
export function createApiClient(options: TransportOptions): ApiClient {
  return createClient<paths>({ baseUrl: options.baseUrl, redirect: 'manual' });
}
