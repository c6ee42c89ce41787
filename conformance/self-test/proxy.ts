/**
 * A real HTTP proxy in front of the embedded mock that turns it into a server with one bug: it
 * may change a request before the mock sees it (and sign it again with the tenant's key, so the
 * mock accepts what the buggy server would have), answer in the mock's place, or change the
 * mock's answer. The self-test runs the suite against it once per seeded fault.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createUpvestSigner } from '../../src/index.js';
import {
  startMockServer,
  type MockServer,
  type MockServerOptions,
} from '../../src/testing/index.js';
import { listenOnLoopback } from '../run/loopback.js';

/** A request as the proxy received it; a fault may change any part. */
export interface ProxyRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  headers: Record<string, string>;
  body: string;
  /** Set by a fault that changed something the signature covers: the proxy signs anew. */
  resign: boolean;
}

/** An answer, the mock's or a fault's own. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a fault can reach besides the exchange: the mock behind the proxy, and a scratchpad. */
interface FaultTools {
  readonly mock: MockServer;
  /** Sends a request to the mock as the tenant (signed), for faults that need the real state. */
  readonly ask: (request: Omit<ProxyRequest, 'resign'>) => Promise<ProxyResponse>;
  readonly memory: Map<string, unknown>;
}

/**
 * One seeded bug.
 *
 * @example
 * ```ts
 * const noRequestId: SeededFault = {
 *   name: 'no upvest-request-id on any answer',
 *   kind: 'contract',
 *   response: (response) => void delete response.headers['upvest-request-id'],
 * };
 * ```
 */
export interface SeededFault {
  /** Names the bug, as a report should. */
  readonly name: string;
  readonly kind:
    'signature' | 'auth' | 'too strict' | 'too lenient' | 'state' | 'protocol' | 'contract';
  /** Changes the request, or answers it in the mock's place (return an answer). */
  readonly request?: (
    request: ProxyRequest,
    tools: FaultTools,
  ) => ProxyResponse | undefined | void | Promise<ProxyResponse | undefined | void>;
  /** Changes the mock's answer. */
  readonly response?: (response: ProxyResponse, request: ProxyRequest, tools: FaultTools) => void;
  /**
   * Changes a delivery on its way from the mock to the suite's receiver (the body, a header),
   * or answers it in the receiver's place so it never arrives.
   */
  readonly delivery?: (
    delivery: ProxyRequest,
    tools: FaultTools,
  ) => ProxyResponse | undefined | void | Promise<ProxyResponse | undefined | void>;
}

/** Where the mock's deliveries pass through the proxy on their way to the suite. */
const RELAY_PATH = '/__relay';

/**
 * A started mock with a faulty proxy in front: `url` is what the suite tests.
 *
 * @example
 * ```ts
 * const target = await startFaultyServer(fault);
 * const report = await runConformance({ baseUrl: target.url, ...target.tenant });
 * await target.close();
 * ```
 */
export interface FaultyServer {
  readonly url: string;
  readonly mock: MockServer;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  return headers;
}

/** Hop-by-hop and framing headers are the proxy's business. */
const HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'];

/**
 * Starts a fresh embedded mock (seeded with the spec's examples) behind a proxy with `fault`;
 * without a fault the proxy is faithful.
 *
 * @example
 * ```ts
 * const clean = await startFaultyServer();
 * ```
 */
export async function startFaultyServer(
  fault?: SeededFault,
  mockOptions: Pick<MockServerOptions, 'clientSecret'> = {},
  deliverTo?: string,
): Promise<FaultyServer> {
  let relay = '';
  // Ed25519: thousands of requests per run, each signed by the suite and by the proxy. The
  // mock's deliveries go through the proxy (a fault may change them) to `deliverTo`.
  const mock = await startMockServer({
    ...mockOptions,
    seed: 'documented-examples',
    tenantKeyType: 'ed25519',
    ...(deliverTo ? { deliveryTarget: () => `${relay}${RELAY_PATH}` } : {}),
  });
  const forward = forwarderTo(mock);
  const tools = faultToolsFor(mock, forward);
  const server = proxyServer(handlerFor(fault, tools, forward, deliverTo));
  const url = await listenOnLoopback(server);
  relay = url;
  return {
    url,
    mock,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mock.close();
    },
  };
}

type Forward = (request: ProxyRequest) => Promise<ProxyResponse>;

/** Passes a request on to the mock, signed anew as the tenant when a fault changed it. */
function forwarderTo(mock: MockServer): Forward {
  const signer = createUpvestSigner({
    keyId: mock.credentials.keyId,
    privateKey: mock.credentials.privateKey!,
  });

  return async function forward(request: ProxyRequest): Promise<ProxyResponse> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (!HOP.includes(name)) headers.set(name, value);
    const url = `${mock.url}${request.target}`;
    const body = request.body === '' ? undefined : new TextEncoder().encode(request.body);
    if (request.resign) {
      for (const name of ['signature', 'signature-input', 'content-digest']) headers.delete(name);
      for (const [name, value] of Object.entries(
        await signer({ method: request.method, url, headers, body }),
      ))
        headers.set(name, value);
    }
    const upstream = await fetch(url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(body ? { body } : {}),
    });
    const answer: ProxyResponse = {
      status: upstream.status,
      headers: Object.fromEntries(upstream.headers),
      body: await upstream.text(),
    };
    for (const name of HOP) delete answer.headers[name];
    return answer;
  };
}

/** The mock, a scratchpad, and a way to ask the mock as the tenant, for the faults. */
function faultToolsFor(mock: MockServer, forward: Forward): FaultTools {
  return {
    mock,
    memory: new Map(),
    ask: (request) => {
      const token = mock.issueToken(['webhooks:admin']);
      return forward({
        ...request,
        headers: {
          'upvest-client-id': mock.credentials.clientId,
          'upvest-api-version': '1',
          accept: 'application/json, application/problem+json',
          authorization: `Bearer ${token}`,
          ...(request.body ? { 'content-type': 'application/json' } : {}),
          ...request.headers,
        },
        resign: true,
      });
    },
  };
}

type Handle = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

/** Answers one request: a relayed delivery, or an API request through the fault and the mock. */
function handlerFor(
  fault: SeededFault | undefined,
  tools: FaultTools,
  forward: Forward,
  deliverTo: string | undefined,
): Handle {
  return async function handle(incoming, outgoing) {
    const request: ProxyRequest = {
      method: incoming.method ?? 'GET',
      target: incoming.url ?? '/',
      headers: flatHeaders(incoming),
      body: await readBody(incoming),
      resign: false,
    };
    if (request.target === RELAY_PATH && deliverTo) {
      const answer =
        (await fault?.delivery?.(request, tools)) ?? (await relayed(request, deliverTo));
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
      return;
    }
    const own = await fault?.request?.(request, tools);
    const answer = own ?? (await forward(request));
    if (!own) fault?.response?.(answer, request, tools);
    outgoing.writeHead(answer.status, answer.headers);
    outgoing.end(answer.body);
  };
}

/** The proxy's HTTP server: a request the handler fails on is answered 502 (or cut off). */
function proxyServer(handle: Handle) {
  return createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      if (outgoing.headersSent) {
        outgoing.destroy();
        return;
      }
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
}

/** A delivery passed on to the suite's receiver, under the same path it was signed for. */
async function relayed(delivery: ProxyRequest, deliverTo: string): Promise<ProxyResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(delivery.headers))
    if (!HOP.includes(name)) headers.set(name, value);
  const answer = await fetch(`${deliverTo}${delivery.target}`, {
    method: delivery.method,
    headers,
    body: delivery.body,
  });
  return { status: answer.status, headers: {}, body: await answer.text() };
}

/**
 * A problem answer as the API writes one, for faults that answer in the mock's place.
 *
 * @example
 * ```ts
 * return problem(400, 'the title is too long');
 * ```
 */
export function problem(status: number, detail: string): ProxyResponse {
  return {
    status,
    headers: {
      'content-type': 'application/problem+json',
      'upvest-request-id': crypto.randomUUID(),
    },
    body: JSON.stringify({ type: 'bad_request', status, detail }),
  };
}
