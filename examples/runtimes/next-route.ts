/**
 * Receiving Upvest's deliveries in a Next.js route handler (`app/webhooks/upvest/route.ts`), on
 * the edge runtime or on Node: the route's `POST` is the Fetch handler itself.
 */
import { createDeliveryHandler } from './delivery-handler.ts';

export const runtime = 'edge';

let handler: ((request: Request) => Promise<Response>) | undefined;

/** Next calls this with the request; the handler is made on the first one (no I/O at load). */
export function POST(request: Request): Promise<Response> {
  handler ??= createDeliveryHandler({
    keysUrl: process.env['UPVEST_KEYS_URL'] ?? 'https://sandbox.upvest.co/auth/verify_keys',
    webhookId: process.env['UPVEST_WEBHOOK_ID'],
  });
  return handler(request);
}
