import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchDeliveryHandler, createNodeDeliveryHandler } from './handler.js';
import type { DeliveryHandlerOptions } from './processor.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';

// What a handler leaves behind once it answered: timers, listeners, a second answer. None of it
// changes the status code, so only these tests notice it.

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const PATH = '/webhooks/upvest';
const delivery = signDelivery(
  [
    createDeliveryEvent({
      id: '00000000-0000-4000-8000-000000000001',
      created_at: '2021-11-19T13:06:57Z',
      webhook_id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
    }),
  ],
  // Not covering content-length: these tests stream the body without one.
  {
    ...pair,
    now: NOW,
    url: `https://tenant.tld${PATH}`,
    components: ['@method', '@path', 'digest'],
  },
);

const errors: unknown[] = [];
const options = (extra: Partial<DeliveryHandlerOptions> = {}): DeliveryHandlerOptions => ({
  keys: pair.jwks,
  now: () => NOW,
  dedupe: false,
  onEvents: () => undefined,
  onError: (error) => errors.push(error),
  ...extra,
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  errors.length = 0;
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
const EVENTS = ['data', 'end', 'error', 'close'] as const;

describe('createNodeDeliveryHandler, after it answered', () => {
  it('should leave no body timer running and no listener on the request', async () => {
    const handler = createNodeDeliveryHandler(options({ bodyTimeoutMs: 60_000 }));
    // The process's timers are counted, other tests' included (test:fast shares one process):
    // one of theirs may start or end between the two counts. A timer the handler leaves behind
    // shows in every try; a coincidence does not repeat, so three tries tell them apart.
    const leftBehind = async () => {
      const seen: { timers: number[]; listeners: number[][] } = { timers: [], listeners: [] };
      const port = await listen((req, res) => {
        const before = EVENTS.map((name) => req.listenerCount(name));
        const timersBefore = timers();
        void handler(req, res).then(() => {
          seen.timers.push(timersBefore, timers());
          seen.listeners.push(
            before,
            EVENTS.map((name) => req.listenerCount(name)),
          );
        });
      });
      const response = await fetch(`http://127.0.0.1:${port}${PATH}`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(response.status).toBe(200);
      await expect.poll(() => seen.timers.length).toBe(2);
      expect(seen.listeners[1]).toEqual(seen.listeners[0]);
      return seen.timers[1]! - seen.timers[0]!;
    };
    const differences = [];
    for (let tries = 0; tries < 3; tries += 1) {
      differences.push(await leftBehind());
      if (differences.at(-1) === 0) break;
    }
    expect(differences).toContain(0);
  });

  it('should not answer a second time, nor reject, when something answered before it', async () => {
    const handler = createNodeDeliveryHandler(options());
    const outcome: unknown[] = [];
    const port = await listen((req, res) => {
      res.writeHead(202, { 'content-type': 'text/plain' });
      res.write('taken');
      handler(req, res).then(
        () => {
          outcome.push('resolved');
          res.end();
        },
        (error: unknown) => outcome.push(error),
      );
    });
    const response = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('taken');
    expect(outcome).toEqual(['resolved']);
  });

  it('should refuse a declared oversize body from its headers, without waiting for a byte', async () => {
    // A minute to send the body: an answer that waited for it would come as a 408, far too late.
    const handler = createNodeDeliveryHandler(
      options({ maxBodyBytes: 1000, bodyTimeoutMs: 60_000 }),
    );
    const port = await listen((req, res) => void handler(req, res));
    const socket = connect(port, '127.0.0.1');
    closers.push(() => {
      socket.destroy();
      return Promise.resolve();
    });
    const head = await new Promise<string>((resolve) => {
      socket.once('data', (chunk) => resolve(chunk.toString('latin1')));
      socket.write(
        `POST ${PATH} HTTP/1.1\r\nhost: tenant.tld\r\ncontent-type: application/json\r\n` +
          'content-length: 1001\r\n\r\n',
      );
    });
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
  });
});

describe('createFetchDeliveryHandler, reading the body', () => {
  const request = (
    body: string | ReadableStream<Uint8Array> | null,
    headers: Record<string, string> = delivery.headers,
  ) =>
    new Request(`https://tenant.tld${PATH}`, {
      method: 'POST',
      headers,
      body,
      ...(body ? { duplex: 'half' } : {}),
    });

  it('should leave no body timer running once the body is read', async () => {
    const handle = createFetchDeliveryHandler(options({ bodyTimeoutMs: 60_000 }));
    const before = timers();
    expect((await handle(request(delivery.body))).status).toBe(200);
    expect(timers()).toBe(before);
  });

  it('should read a request without a body as an empty one, not as a failed read', async () => {
    const handle = createFetchDeliveryHandler(options());
    const { 'content-length': _length, ...headers } = delivery.headers;
    const response = await handle(request(null, headers));
    expect(response.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it('should answer 400 in these words, and report the error, when the body cannot be read', async () => {
    const handle = createFetchDeliveryHandler(options());
    const reset = new Error('reset by peer');
    const torn = new ReadableStream<Uint8Array>({
      start: (controller) => controller.error(reset),
    });
    const { 'content-length': _length, ...headers } = delivery.headers;
    const response = await handle(request(torn, headers));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'incomplete_body',
      status: 400,
      title: 'Incomplete body',
      detail: 'the delivery could not be read',
    });
    expect(errors).toEqual([reset]);
  });
});
