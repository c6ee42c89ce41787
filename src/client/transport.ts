/**
 * The only module that knows openapi-fetch. openapi-fetch is in maintenance mode upstream
 * (openapi-typescript issue 2874), so everything else talks to the narrow `ApiClient` seam below,
 * one method per operation in our own types: replacing the library means rewriting this file,
 * not the client.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../../generated/openapi.js';
import type { ListWebhooksQuery, WebhookCreateRequest, WebhookUpdateRequest } from '../types.js';
import { runSigner, SignerFailure, type RequestSigner } from '../wire/signer.js';

/** What one attempt sends besides the operation's own parameters. */
export interface AttemptInit {
  readonly headers: Record<string, string>;
  /**
   * The attempt's own `fetch`: it binds the request to the attempt's signal and notes that the
   * request was handed to the network. The request built here gets no signal of its own, so it
   * follows none (see `wireRequest`).
   */
  readonly fetch: (request: Request) => Promise<Response>;
}

/**
 * What one attempt brings back: the response, and for an operation documented with a body that
 * body as text in `data` (2xx) or `error` (otherwise), parsed and checked by the caller. The
 * bodies of 202 and 204 answers are left unread.
 */
export interface RawResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The operations of our spec, one method each, sent with an attempt's headers and `fetch`.
 *
 * @example
 * ```ts
 * const { data, response } = await api.listWebhooks({ limit: 10 }, { headers, fetch });
 * ```
 */
export interface ApiClient {
  createWebhook(body: WebhookCreateRequest, init: AttemptInit): Promise<RawResult>;
  listWebhooks(query: ListWebhooksQuery, init: AttemptInit): Promise<RawResult>;
  retrieveWebhook(webhookId: string, init: AttemptInit): Promise<RawResult>;
  updateWebhook(
    webhookId: string,
    body: WebhookUpdateRequest,
    init: AttemptInit,
  ): Promise<RawResult>;
  deleteWebhook(webhookId: string, init: AttemptInit): Promise<RawResult>;
  testWebhook(webhookId: string, init: AttemptInit): Promise<RawResult>;
  verificationKeys(init: AttemptInit): Promise<RawResult>;
}

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
 * Builds the client our facade drives, on openapi-fetch. Redirects are never followed (R3).
 * Bodies of answers the spec documents are read as text, to be parsed and checked by the caller;
 * 202 and 204 answers are left unread. Each call passes its own `fetch`, which puts the request
 * through {@link wireRequest}.
 *
 * @example
 * ```ts
 * const api = createApiClient({ baseUrl });
 * await api.listWebhooks({}, { headers, fetch: async (request) => fetch(await wireRequest(request, signer), { signal }) });
 * ```
 */
export function createApiClient(options: TransportOptions): ApiClient {
  const api = createClient<paths>({ baseUrl: options.baseUrl, redirect: 'manual' });
  const text = (init: AttemptInit) => ({ ...init, parseAs: 'text' as const });
  const unread = (init: AttemptInit) => ({ ...init, parseAs: 'stream' as const });
  const at = (webhookId: string) => ({ path: { webhook_id: webhookId } });
  return {
    createWebhook: (body, init) => api.POST('/webhooks', { body, ...text(init) }),
    listWebhooks: (query, init) => api.GET('/webhooks', { params: { query }, ...text(init) }),
    retrieveWebhook: (id, init) =>
      api.GET('/webhooks/{webhook_id}', { params: at(id), ...text(init) }),
    updateWebhook: (id, body, init) =>
      api.PATCH('/webhooks/{webhook_id}', { params: at(id), body, ...text(init) }),
    deleteWebhook: (id, init) =>
      api.DELETE('/webhooks/{webhook_id}', { params: at(id), ...unread(init) }),
    testWebhook: (id, init) =>
      api.POST('/webhooks/{webhook_id}/test', { params: at(id), ...unread(init) }),
    verificationKeys: (init) => api.GET('/auth/verify_keys', text(init)),
  };
}
