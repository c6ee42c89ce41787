/**
 * Receiving Upvest's deliveries on Node: the Hono app of hono.ts served by `@hono/node-server`,
 * which turns Node's request into a Fetch `Request` (createNodeDeliveryHandler takes Node's
 * request directly, if you prefer).
 *
 *   PORT=8080 UPVEST_KEYS_URL=https://sandbox.upvest.co/auth/verify_keys node node.ts
 */
import { serve } from '@hono/node-server';
import { createApp } from './hono.ts';

const app = createApp({
  keysUrl: process.env['UPVEST_KEYS_URL'] ?? 'https://sandbox.upvest.co/auth/verify_keys',
  webhookId: process.env['UPVEST_WEBHOOK_ID'],
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env['PORT'] ?? 8080) });
