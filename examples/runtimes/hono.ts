/**
 * Receiving Upvest's deliveries in a Hono app: the route hands Hono's raw `Request` to the
 * handler (`c.req.raw`, the bytes untouched, as the signature needs them).
 */
import { Hono } from 'hono';
import { createDeliveryHandler, type ReceiverSettings } from './delivery-handler.ts';

/**
 * A Hono app that receives deliveries at `POST /webhooks/upvest`.
 *
 * @example
 * ```ts
 * const app = createApp({ keysUrl });
 * export default app; // Bun, Deno, Workers; or serve(app) from @hono/node-server on Node
 * ```
 */
export function createApp(settings: ReceiverSettings): Hono {
  const handler = createDeliveryHandler(settings);
  const app = new Hono();
  app.post('/webhooks/upvest', (c) => handler(c.req.raw));
  return app;
}
