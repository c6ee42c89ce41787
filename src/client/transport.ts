/**
 * The only module that knows openapi-fetch. openapi-fetch is in maintenance mode upstream
 * (openapi-typescript issue 2874), so everything else talks to the narrow `ApiClient` seam below;
 * replacing the library means rewriting this file, not the client.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';

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
 * What a request signer sees: the final bytes that will go on the wire.
 *
 * @example
 * ```ts
 * const signer: RequestSigner = ({ method, url, body }) => ({ 'x-debug': `${method} ${url} ${body?.length ?? 0}` });
 * ```
 */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  /** The serialized body, exactly as it will be sent; `undefined` without a body. */
  readonly body: Uint8Array | undefined;
}

/**
 * Adds headers to a request after it is serialized: the seam for HTTP message signatures.
 * It is called again for every attempt, so each retry gets a fresh signature. What it throws
 * surfaces as `UpvestSigningError` (nothing is sent).
 *
 * @example
 * ```ts
 * const signer: RequestSigner = (request) => upvestSignatureHeaders(request, { keyId, privateKey });
 * ```
 */
export type RequestSigner = (
  request: OutgoingRequest,
) => Promise<Record<string, string>> | Record<string, string>;

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
 * Thrown by the transport when the signer failed, so the facade can tell "nothing was sent"
 * apart from a network failure and report it with the operation's name. Internal.
 *
 * @example
 * ```ts
 * if (error instanceof SignerFailure) throw new UpvestSigningError({ operation, message, cause: error.cause });
 * ```
 */
export class SignerFailure extends Error {
  constructor(cause: unknown) {
    super('the request signer failed', { cause });
    this.name = 'SignerFailure';
  }
}

/**
 * Runs a signer and returns the headers it adds; any failure becomes a {@link SignerFailure}.
 *
 * @example
 * ```ts
 * const added = await runSigner(signer, { method: 'GET', url, headers, body: undefined });
 * ```
 */
export async function runSigner(
  signer: RequestSigner,
  request: OutgoingRequest,
): Promise<Record<string, string>> {
  try {
    return await signer(request);
  } catch (error) {
    throw new SignerFailure(error);
  }
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
