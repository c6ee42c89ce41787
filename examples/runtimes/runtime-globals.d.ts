/**
 * The few members of Deno's and Bun's globals the runtime examples use, so tsc checks those
 * examples without each runtime's own type package.
 */
declare const Deno: {
  readonly env: { get(name: string): string | undefined };
  serve(
    options: { hostname: string; port: number },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
};

declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): unknown;
};

/**
 * Hono's types name the DOM's `CloseEvent` (its WebSocket helper), which Node's types lack; the
 * project type-checks without the DOM library, so it is declared here.
 */
interface CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}
