/**
 * Receiving Upvest's deliveries with `Deno.serve`.
 *
 *   PORT=8080 UPVEST_KEYS_URL=https://sandbox.upvest.co/auth/verify_keys \
 *     deno run --allow-net --allow-env deno.ts
 */
import { createDeliveryHandler } from './delivery-handler.ts';

const handler = createDeliveryHandler({
  keysUrl: Deno.env.get('UPVEST_KEYS_URL') ?? 'https://sandbox.upvest.co/auth/verify_keys',
  webhookId: Deno.env.get('UPVEST_WEBHOOK_ID'),
});

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8080) }, handler);
