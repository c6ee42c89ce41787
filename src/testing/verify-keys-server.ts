/**
 * A stand-in for Upvest's `GET /auth/verify_keys`: serves a JWKS on loopback so a receiver that
 * fetches its keys by URL can be pointed at test keys (`trigger --serve-keys`, and the receiver
 * conformance run).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKeySet } from '../types.js';

/** The running key server. */
export interface VerifyKeysServer {
  /** `http://127.0.0.1:<port>/auth/verify_keys`. */
  readonly url: string;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Serves `jwks` at `GET /auth/verify_keys` on 127.0.0.1 (`port` 0 picks a free one); anything
 * else is a 404 problem. Rejects when the port is taken.
 *
 * @example
 * ```ts
 * const keys = await serveVerifyKeys(generateDeliveryKeyPair().jwks, { port: 8081 });
 * // configure the receiver with keys.url, then:
 * await keys.close();
 * ```
 */
export async function serveVerifyKeys(
  jwks: JsonWebKeySet,
  options: { readonly port?: number } = {},
): Promise<VerifyKeysServer> {
  const body = JSON.stringify(jwks);
  const server = createServer((request, response) => {
    request.resume();
    if (request.method === 'GET' && request.url?.split('?')[0] === '/auth/verify_keys') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    } else {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'not_found', title: 'Not Found', status: 404 }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/auth/verify_keys`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
