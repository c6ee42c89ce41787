/**
 * Receiving Upvest's deliveries in a Cloudflare Worker (workerd). Workers get their settings as
 * bindings (`env`), not from the process, and may not fetch or use crypto while the module loads:
 * the handler is made on the first request.
 *
 *   wrangler deploy worker.ts   (with UPVEST_KEYS_URL and UPVEST_WEBHOOK_ID as vars)
 */
import { createDeliveryHandler } from './delivery-handler.ts';

interface Env {
  readonly UPVEST_KEYS_URL: string;
  readonly UPVEST_WEBHOOK_ID?: string;
}

let handler: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    handler ??= createDeliveryHandler({
      keysUrl: env.UPVEST_KEYS_URL,
      webhookId: env.UPVEST_WEBHOOK_ID,
    });
    return handler(request);
  },
};
