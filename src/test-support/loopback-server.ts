import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the loopback server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type LoopbackHandler = (
  request: ReceivedRequest,
  response: ServerResponse,
) => void | Promise<void>;

/**
 * A Node request listener served on a free port of 127.0.0.1, for tests and benchmarks that need
 * the raw request (a delivery handler reads the body itself). `close` drops open keep-alive
 * connections first, so it never waits on a client. Not part of the package.
 */
export async function serveOnLoopback(handle: RequestListener, options: { port?: number } = {}) {
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A real HTTP server on 127.0.0.1 for tests: it records every request and answers with the
 * handler given. Not part of the package.
 */
export async function startLoopbackServer(
  handler: LoopbackHandler,
  options: { port?: number } = {},
) {
  const received: ReceivedRequest[] = [];
  const served = await serveOnLoopback((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      Promise.resolve(handler(request, response)).catch((error: unknown) => {
        response.statusCode = 599;
        response.end(String(error));
      });
    });
  }, options);
  return { url: served.url, received, close: served.close };
}

/** Answers JSON with the given status and headers. */
export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'upvest-request-id': '169ae4c7-ebd7-4041-94da-25369653eba7',
    ...headers,
  });
  response.end(JSON.stringify(body));
}
