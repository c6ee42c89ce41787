import type { ServerResponse } from 'node:http';
import { startLoopbackServer, type ReceivedRequest } from './loopback-server.js';

/**
 * One scripted answer (or non-answer) to one request.
 *
 * @example
 * ```ts
 * const teapot: Fault = (response) => void response.writeHead(418).end();
 * ```
 */
export type Fault = (response: ServerResponse, request: ReceivedRequest) => void;

const REQUEST_ID = '169ae4c7-ebd7-4041-94da-25369653eba7';

/**
 * The answers a fault-injecting server can give: well-formed ones and every kind of broken one
 * a client meets in practice. Not part of the package.
 *
 * @example
 * ```ts
 * const script = { 'GET /webhooks': [answer.html(502), answer.hang, answer.json(200, page)] };
 * ```
 */
export const answer = {
  /** A JSON body with the given status. */
  json(status: number, body: unknown, headers: Record<string, string> = {}): Fault {
    return (response) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'upvest-request-id': REQUEST_ID,
        ...headers,
      });
      response.end(JSON.stringify(body));
    };
  },
  /** An `application/problem+json` error, as Upvest sends them. */
  problem(status: number, headers: Record<string, string> = {}, detail?: string): Fault {
    return answer.json(
      status,
      { type: `https://docs.upvest.co/errors/${status}`, status, ...(detail ? { detail } : {}) },
      { 'content-type': 'application/problem+json', ...headers },
    );
  },
  /** A `POST /auth/token` success. */
  token(accessToken: string, expiresIn = 3600, scope = 'webhooks:read'): Fault {
    return answer.json(200, {
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: 'bearer',
      scope,
    });
  },
  /** A body of any content type, verbatim. */
  raw(status: number, contentType: string | undefined, body: string): Fault {
    return (response) => {
      response.writeHead(status, contentType ? { 'content-type': contentType } : {});
      response.end(body);
    };
  },
  /** A status without a body (202, 204). */
  empty(status: number): Fault {
    return (response) => {
      response.writeHead(status, { 'upvest-request-id': REQUEST_ID });
      response.end();
    };
  },
  /** An HTML error page such as a proxy or a load balancer sends. */
  html(status: number): Fault {
    return answer.raw(status, 'text/html', `<html><body><h1>${status}</h1></body></html>`);
  },
  /** A redirect the client must not follow. */
  redirect(status: number, location: string): Fault {
    return (response) => {
      response.writeHead(status, { location });
      response.end();
    };
  },
  /** The given answer, `ms` later (unless the client gave up and closed the socket). */
  slow(ms: number, then: Fault): Fault {
    return (response, request) => {
      const timer = setTimeout(() => {
        if (!response.destroyed && !response.socket?.destroyed) then(response, request);
      }, ms);
      response.on('close', () => clearTimeout(timer));
    };
  },
  /** No answer at all: the client's timeout must end the wait. */
  hang: ((response) => {
    void response;
  }) as Fault,
  /** The connection dies after the whole request was read, before any response byte. */
  resetBeforeHeaders: ((response) => {
    response.socket?.destroy();
  }) as Fault,
  /** Headers and part of the body go out, then the connection dies. */
  resetMidBody(status = 200): Fault {
    return (response) => {
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': '500' });
      // Destroyed once the partial body was flushed, so the client has seen the headers.
      response.write('{"id": "a8eb3540', () => response.socket?.destroy());
    };
  },
};

/**
 * A real HTTP server on 127.0.0.1 that answers each route with a script of {@link Fault}s, in
 * order, the last one repeating. Routes are `METHOD /path` without the query; `*` matches what
 * no other route does. It counts the requests that reached it, so tests can assert exactly how
 * many attempts a client made.
 *
 * @example
 * ```ts
 * const server = await startFaultServer({
 *   'POST /webhooks': [answer.problem(429), answer.problem(429), answer.json(201, webhook)],
 * });
 * await client.create(input);
 * expect(server.count('POST /webhooks')).toBe(3);
 * ```
 */
export async function startFaultServer(
  script: Record<string, readonly Fault[]> = {},
  options: { port?: number } = {},
) {
  const routes = new Map<string, Fault[]>(Object.entries(script).map(([k, v]) => [k, [...v]]));
  const served = new Map<string, number>();
  const server = await startLoopbackServer((request, response) => {
    const route = `${request.method} ${request.url.split('?')[0] ?? ''}`;
    const key = routes.has(route) ? route : '*';
    const steps = routes.get(key);
    const index = served.get(key) ?? 0;
    served.set(key, index + 1);
    const step = steps?.[Math.min(index, steps.length - 1)];
    if (step) step(response, request);
    else answer.raw(599, 'text/plain', `no script for ${route}`)(response, request);
  }, options);
  return {
    url: server.url,
    /** Every request that reached the server, in order. */
    received: server.received,
    /** How many requests reached the server, on one route or in all. */
    count(route?: string): number {
      if (route === undefined) return server.received.length;
      return server.received.filter((r) => `${r.method} ${r.url.split('?')[0] ?? ''}` === route)
        .length;
    },
    /** Replaces the script of a route (and restarts its sequence). */
    script(route: string, steps: readonly Fault[]): void {
      routes.set(route, [...steps]);
      served.delete(route);
    },
    close: () => server.close(),
  };
}

/**
 * A started {@link startFaultServer}.
 *
 * @example
 * ```ts
 * const servers: FaultServer[] = [];
 * afterEach(() => Promise.all(servers.splice(0).map((s) => s.close())));
 * ```
 */
export type FaultServer = Awaited<ReturnType<typeof startFaultServer>>;
