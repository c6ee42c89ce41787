/**
 * The one delivery handler every runtime example serves: the package's Fetch handler
 * (`Request` in, `Response` out) with Upvest's keys fetched from `keysUrl`, and the options a
 * careful receiver sets (docs/receiving.md). Only the few lines that start a server differ
 * between Node, Deno, Bun, Cloudflare Workers and Next.js; this part is the same everywhere.
 */
import {
  createFetchDeliveryHandler,
  createVerificationKeyProvider,
  type DeliveryEvent,
  type JsonWebKeySet,
} from 'upvest-webhooks/receiver';

/** What each example needs to know: where the keys are, and which webhook it serves. */
export interface ReceiverSettings {
  /** Upvest's `GET /auth/verify_keys` (in the runtime tests: the conformance suite's copy). */
  readonly keysUrl: string;
  /** The webhook this endpoint was registered for: deliveries of others are refused. */
  readonly webhookId?: string | undefined;
  /** Where verified events go; your queue or database in production. */
  readonly onEvents?: (events: readonly DeliveryEvent[]) => void | Promise<void>;
}

/**
 * A Fetch delivery handler for these settings.
 *
 * @example
 * ```ts
 * const handler = createDeliveryHandler({ keysUrl: 'https://sandbox.upvest.co/auth/verify_keys' });
 * const response = await handler(request); // 200, or 4xx for what it refuses
 * ```
 */
export function createDeliveryHandler(
  settings: ReceiverSettings,
): (request: Request) => Promise<Response> {
  const keys = createVerificationKeyProvider({
    fetchKeys: async () => {
      const response = await fetch(settings.keysUrl);
      if (!response.ok) throw new Error(`GET ${settings.keysUrl} answered ${response.status}`);
      return (await response.json()) as JsonWebKeySet;
    },
  });
  return createFetchDeliveryHandler({
    keys,
    requiredComponents: ['@method', '@path'],
    requiredParameters: ['created', 'expires'],
    keyIdMatch: 'kid',
    ...(settings.webhookId === undefined ? {} : { webhookIds: [settings.webhookId] }),
    onEvents: settings.onEvents ?? (() => undefined),
  });
}
