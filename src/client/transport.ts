/**
 * The only module that knows openapi-fetch. openapi-fetch is in maintenance mode upstream
 * (openapi-typescript issue 2874), so everything else talks to the narrow `ApiClient` seam below;
 * replacing the library means rewriting this file, not the client.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';

/** A typed, method-per-verb HTTP client for the paths of our spec. */
export type ApiClient = Client<paths>;

/** What a request signer sees: the final bytes that will go on the wire. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  /** The serialized body, exactly as it will be sent; `undefined` without a body. */
  readonly body: Uint8Array | undefined;
}

/**
 * Adds headers to a request after it is serialized: the seam for HTTP message signatures.
 * It is called again for every attempt, so each retry gets a fresh signature.
 */
export type RequestSigner = (
  request: OutgoingRequest,
) => Promise<Record<string, string>> | Record<string, string>;

export interface TransportOptions {
  readonly baseUrl: string;
  readonly fetch: typeof globalThis.fetch;
  readonly signer?: RequestSigner | undefined;
}

function signingMiddleware(signer: RequestSigner): Middleware {
  return {
    async onRequest({ request }) {
      const bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
      const headers = new Headers(request.headers);
      const added = await signer({
        method: request.method,
        url: request.url,
        headers,
        body: bytes,
      });
      for (const [name, value] of Object.entries(added)) headers.set(name, value);
      return new Request(request.url, {
        method: request.method,
        headers,
        redirect: request.redirect,
        signal: request.signal,
        ...(bytes ? { body: bytes } : {}),
      });
    },
  };
}

/** Builds the openapi-fetch client our facade drives. Redirects are never followed (R3). */
export function createApiClient(options: TransportOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    redirect: 'manual',
  });
  if (options.signer) client.use(signingMiddleware(options.signer));
  return client;
}
