import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a server on a free port of 127.0.0.1 and resolves with its base URL: the suite's own
 * servers (a test receiver, the self-test's proxy) are never reachable from outside the machine.
 *
 * @example
 * ```ts
 * const url = await listenOnLoopback(createServer(handler)); // 'http://127.0.0.1:41234'
 * ```
 */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
