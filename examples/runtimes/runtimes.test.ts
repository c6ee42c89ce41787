import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateDeliveryKeyPair,
  serveVerifyKeys,
  signDelivery,
  type VerifyKeysServer,
} from 'upvest-webhooks/testing';
import { createDeliveryHandler } from './delivery-handler.ts';
import { createApp } from './hono.ts';

/**
 * The runtime examples that Node can run in process: the shared handler, the Hono app and the
 * Next.js route, each with deliveries signed as Upvest signs them and keys fetched over HTTP.
 * Deno, Bun and workerd run the same files in `npm run test:runtimes` (scripts/runtimes.ts).
 */
const pair = generateDeliveryKeyPair();
const webhookId = '5b0f3b4e-2a9c-4d1e-9f7a-0c1d2e3f4a5b';
let keys: VerifyKeysServer;

beforeAll(async () => {
  keys = await serveVerifyKeys(pair.jwks);
  process.env['UPVEST_KEYS_URL'] = keys.url;
  process.env['UPVEST_WEBHOOK_ID'] = webhookId;
});
afterAll(async () => {
  delete process.env['UPVEST_KEYS_URL'];
  delete process.env['UPVEST_WEBHOOK_ID'];
  await keys.close();
});

const url = 'https://tenant.example/webhooks/upvest';

/** A delivery of one event as Upvest sends it, for `webhook`; tampered with when asked. */
function delivery(webhook = webhookId, tamper = false): Request {
  const event = {
    id: crypto.randomUUID(),
    created_at: new Date().toISOString(),
    type: 'USER.CREATED',
    object: { id: crypto.randomUUID() },
    webhook_id: webhook,
  };
  const signed = signDelivery([event], { keyId: pair.keyId, privateKey: pair.privateKey, url });
  const body = tamper ? signed.body.replace('USER.CREATED', 'USER.DELETED') : signed.body;
  return new Request(url, { method: 'POST', headers: signed.headers, body });
}

type Handle = (request: Request) => Promise<Response>;

const targets: [string, () => Handle | Promise<Handle>][] = [
  ['the shared delivery handler', () => createDeliveryHandler({ keysUrl: keys.url, webhookId })],
  [
    'the Hono app',
    () => {
      const app = createApp({ keysUrl: keys.url, webhookId });
      return async (request) => app.fetch(request);
    },
  ],
  ['the Next.js route', async () => (await import('./next-route.ts')).POST],
];

describe.each(targets)('%s', (_name, make) => {
  it('should accept a genuine delivery with 200', async () => {
    const handle = await make();
    expect((await handle(delivery())).status).toBe(200);
  });

  it('should refuse a body changed after signing with 401', async () => {
    const handle = await make();
    expect((await handle(delivery(webhookId, true))).status).toBe(401);
  });

  it('should refuse a delivery for another webhook with 403', async () => {
    const handle = await make();
    expect((await handle(delivery('00000000-0000-4000-8000-000000000000'))).status).toBe(403);
  });
});

describe('the Next.js route module', () => {
  it('should declare the edge runtime, and load without fetching or verifying anything', async () => {
    const route = await import('./next-route.ts');
    expect(route.runtime).toBe('edge');
    expect(typeof route.POST).toBe('function');
  });
});
