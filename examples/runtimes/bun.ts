/**
 * Receiving Upvest's deliveries with `Bun.serve`.
 *
 *   PORT=8080 UPVEST_KEYS_URL=https://sandbox.upvest.co/auth/verify_keys bun bun.ts
 */
import { createDeliveryHandler } from './delivery-handler.ts';

const handler = createDeliveryHandler({
  keysUrl: Bun.env['UPVEST_KEYS_URL'] ?? 'https://sandbox.upvest.co/auth/verify_keys',
  webhookId: Bun.env['UPVEST_WEBHOOK_ID'],
});

Bun.serve({ hostname: '127.0.0.1', port: Number(Bun.env['PORT'] ?? 8080), fetch: handler });
