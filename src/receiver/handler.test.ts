import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonWebKeySet } from '../types.js';
import { createMemoryDedupeStore, type DeliveryDedupeStore } from './dedupe.js';
import type { DeliveryEvent } from './events.js';
import { createFetchDeliveryHandler, createNodeDeliveryHandler } from './handler.js';
import type { DeliveryContext, DeliveryHandlerOptions } from './processor.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
  type SignDeliveryOptions,
  type SignedDelivery,
} from '../testing/deliveries.js';
import type { DeliveryFailure } from './verify.js';

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const PATH = '/webhooks/upvest';

const event = (n: number, overrides: Partial<DeliveryEventInput> = {}) =>
  createDeliveryEvent({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    created_at: `2021-11-19T13:06:57.82037126${n}Z`,
    webhook_id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
    ...overrides,
  });

const sign = (events: readonly DeliveryEventInput[], options: Partial<SignDeliveryOptions> = {}) =>
  signDelivery(events, { ...pair, now: NOW, url: `https://tenant.tld${PATH}`, ...options });

type Serve = (
  options?: Partial<DeliveryHandlerOptions>,
  mount?: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
) => Promise<{
  received: { events: readonly DeliveryEvent[]; context: DeliveryContext }[];
  refused: DeliveryFailure[];
  errors: unknown[];
  /** `http://127.0.0.1:<port>`, for a test that talks to the server without `post`. */
  origin: string;
  post: (delivery: SignedDelivery, init?: { path?: string; method?: string }) => Promise<Response>;
}>;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push({
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  });
  return origin;
}

function recorder(options: Partial<DeliveryHandlerOptions>) {
  const received: { events: readonly DeliveryEvent[]; context: DeliveryContext }[] = [];
  const refused: DeliveryFailure[] = [];
  const errors: unknown[] = [];
  const full: DeliveryHandlerOptions = {
    keys: pair.jwks,
    now: () => NOW,
    onEvents: (events, context) => void received.push({ events, context }),
    onRefused: (failure) => refused.push(failure),
    onError: (error) => errors.push(error),
    ...options,
  };
  return { received, refused, errors, full };
}

function poster(origin: string) {
  return (delivery: SignedDelivery, init: { path?: string; method?: string } = {}) =>
    fetch(`${origin}${init.path ?? PATH}`, {
      method: init.method ?? 'POST',
      headers: delivery.headers,
      ...(init.method && init.method !== 'POST' ? {} : { body: delivery.body }),
    });
}

/** The Node handler on a real server; `mount` stands in for framework middleware. */
const serveNode: Serve = async (options = {}, mount) => {
  const { full, ...recorded } = recorder(options);
  const handler = createNodeDeliveryHandler(full);
  const origin = await listen((req, res) => {
    if (mount) mount(req, res, () => void handler(req, res));
    else void handler(req, res);
  });
  return { ...recorded, origin, post: poster(origin) };
};

/** The Fetch handler behind a minimal Node-to-Fetch bridge, as Hono's Node adapter does. */
const serveFetch: Serve = async (options = {}) => {
  const { full, ...recorded } = recorder(options);
  const handle = createFetchDeliveryHandler(full);
  const origin = await listen((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, values] of Object.entries(req.headersDistinct))
        for (const value of values ?? []) headers.append(name, value);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const response = await handle(
        new Request(`https://tenant.tld${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
        }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  return { ...recorded, origin, post: poster(origin) };
};

describe.each([
  ['createNodeDeliveryHandler', serveNode],
  ['createFetchDeliveryHandler', serveFetch],
])('%s over real HTTP', (_name, serve) => {
  it('should answer 200 after onEvents resolved, with the events in created_at order', async () => {
    let resolved = false;
    const server = await serve({
      onEvents: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        resolved = true;
      },
    });
    const response = await server.post(sign([event(3), event(1), event(2)]));
    expect(response.status).toBe(200);
    expect(resolved).toBe(true);
    const ordered = await serve();
    await ordered.post(sign([event(3), event(1), event(2)]));
    expect(ordered.received[0]?.events.map((e) => e.id.slice(-1))).toEqual(['1', '2', '3']);
    expect(ordered.received[0]?.context.signature).toMatchObject({
      format: 'upvest-v6',
      digestHeader: 'digest',
    });
  });

  it('should hand each event over exactly once when Upvest retries the batch (R15, R17)', async () => {
    const server = await serve();
    const first = sign([event(1), event(2)]);
    expect((await server.post(first)).status).toBe(200);
    expect((await server.post(first)).status).toBe(200);
    // A later batch that repeats one event, re-signed as a new attempt would be.
    expect((await server.post(sign([event(2), event(3)]))).status).toBe(200);
    expect(server.received.map(({ events }) => events.map((e) => e.id.slice(-1)))).toEqual([
      ['1', '2'],
      ['3'],
    ]);
    expect(server.received[1]?.context).toMatchObject({ duplicates: 1, batch: [{}, {}] });
  });

  it('should hand an event repeated within one batch over once', async () => {
    const server = await serve();
    expect((await server.post(sign([event(1), event(1)]))).status).toBe(200);
    expect(server.received[0]?.events).toHaveLength(1);
  });

  it('should answer 500 when onEvents throws, hide the error, and hand the events over again on the retry', async () => {
    let attempts = 0;
    const server = await serve({
      onEvents: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('database down: postgres://user:secret@db');
      },
    });
    const delivery = sign([event(1)]);
    const failed = await server.post(delivery);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toMatch(/database|secret/);
    expect(server.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('database down') as unknown }),
    ]);
    expect((await server.post(delivery)).status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('should answer a concurrent attempt of the same batch with 503, and lose no event when the first fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const processed: string[] = [];
    const server = await serve({
      onEvents: async (events) => {
        calls += 1;
        if (calls === 1) {
          await gate;
          throw new Error('timeout');
        }
        processed.push(...events.map((e) => e.id));
      },
    });
    const delivery = sign([event(1)]);
    const slow = server.post(delivery);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const concurrent = await server.post(delivery);
    expect(concurrent.status).toBe(503);
    expect(concurrent.headers.get('retry-after')).toBe('1');
    release();
    expect((await slow).status).toBe(500);
    expect((await server.post(delivery)).status).toBe(200);
    expect(processed).toEqual([event(1).id]);
  });

  it.each<[string, () => SignedDelivery, number, string | undefined]>([
    [
      'a bad signature with 401',
      () => ({
        ...sign([event(1)]),
        headers: { ...sign([event(1)]).headers, signature: 'sig1=:AAAA:' },
      }),
      401,
      'bad_signature',
    ],
    [
      'a missing signature with 401',
      () => ({ ...sign([event(1)]), headers: { 'content-type': 'application/json' } }),
      401,
      'missing_signature',
    ],
    ['an expired signature with 401', () => sign([event(1)], { now: NOW - 3600 }), 401, 'expired'],
    [
      'a signature for another path with 401',
      () => sign([event(1)], { url: 'https://tenant.tld/other' }),
      401,
      'bad_signature',
    ],
    [
      'a key Upvest does not publish with 401',
      () =>
        signDelivery([event(1)], {
          ...generateDeliveryKeyPair(),
          now: NOW,
          url: `https://tenant.tld${PATH}`,
        }),
      401,
      'unknown_key',
    ],
    [
      'signed invalid JSON with 400',
      () => sign([], { body: '{"payload": [' }),
      400,
      'invalid_json',
    ],
    [
      'a signed body with a malformed event with 400',
      () =>
        sign([], {
          body: JSON.stringify({ payload: [event(1), { ...event(2), created_at: 'now' }] }),
        }),
      400,
      'invalid_delivery',
    ],
    ['a signed empty batch with 200', () => sign([]), 200, undefined],
    [
      'a batch of an unknown event type with 200',
      () => sign([event(1, { type: 'SAVINGS_PLAN_EXECUTION.DATA_CHANGED' })]),
      200,
      undefined,
    ],
  ])('should answer %s', async (_name, build, status, reason) => {
    const server = await serve();
    const response = await server.post(build());
    expect(response.status).toBe(status);
    if (status >= 400) {
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status, type: reason });
      expect(server.refused).toEqual([expect.objectContaining({ reason })]);
    }
    expect(server.received).toHaveLength(
      status === 200 && build().body !== '{"payload":[]}' ? 1 : 0,
    );
  });

  it('should answer 400 with the JSON Pointer of the bad event', async () => {
    const server = await serve();
    const body = JSON.stringify({
      payload: [event(1), event(2), event(3), { ...event(4), created_at: 'now' }],
    });
    const response = await server.post(sign([], { body }));
    expect(await response.json()).toMatchObject({
      detail: expect.stringContaining('/payload/3/created_at') as unknown,
    });
  });

  it('should answer 413 above the size cap, before reading it all', async () => {
    const server = await serve({ maxBodyBytes: 1000 });
    const response = await server.post(sign([event(1, { object: { blob: 'x'.repeat(5000) } })]));
    expect(response.status).toBe(413);
    expect(server.received).toHaveLength(0);
  });

  it('should accept a single event far above 1 MiB by default (R6)', async () => {
    const server = await serve();
    const response = await server.post(
      sign([event(1, { object: { blob: 'x'.repeat(3 * 1024 * 1024) } })]),
    );
    expect(response.status).toBe(200);
  });

  it('should answer 405 to anything but POST', async () => {
    const server = await serve();
    const response = await server.post(sign([event(1)]), { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('should answer 503 when the keys cannot be fetched, so Upvest retries', async () => {
    const { createVerificationKeyProvider } = await import('./keys.js');
    const server = await serve({
      keys: createVerificationKeyProvider({
        fetchKeys: () => Promise.reject(new Error('ECONNREFUSED')),
      }),
    });
    const response = await server.post(sign([event(1)]));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(server.refused).toEqual([expect.objectContaining({ reason: 'keys_unavailable' })]);
    expect(server.errors).toHaveLength(1);
  });

  it('should verify with the keys a provider fetches from the API', async () => {
    const { createVerificationKeyProvider } = await import('./keys.js');
    const server = await serve({
      keys: createVerificationKeyProvider({
        fetchKeys: () => Promise.resolve<JsonWebKeySet>(pair.jwks),
      }),
    });
    expect(
      (
        await server.post(
          sign([event(1)], {
            format: 'rfc9421',
            digest: 'content-digest',
            ecdsaEncoding: 'ieee-p1363',
          }),
        )
      ).status,
    ).toBe(200);
  });
});

describe('the delivery processor', () => {
  const failing = (part: keyof DeliveryDedupeStore): DeliveryDedupeStore => {
    const store = createMemoryDedupeStore();
    return { ...store, [part]: () => Promise.reject(new Error(`${part} failed`)) };
  };

  it.each<[string, DeliveryDedupeStore, number]>([
    ['a store that cannot claim', failing('claim'), 503],
    ['a store that cannot commit', failing('commit'), 500],
    [
      'a store that answers in an old shape',
      { ...createMemoryDedupeStore(), claim: (ids) => ids as never },
      503,
    ],
  ])('should answer %s with %d and report the error', async (_name, dedupe, status) => {
    const server = await serveNode({ dedupe });
    expect((await server.post(sign([event(1)]))).status).toBe(status);
    expect(server.errors).toHaveLength(1);
  });

  it('should hand every event over when deduplication is off', async () => {
    const server = await serveNode({ dedupe: false });
    const delivery = sign([event(1)]);
    await server.post(delivery);
    await server.post(delivery);
    expect(server.received).toHaveLength(2);
  });

  it('should deduplicate on a custom key', async () => {
    const server = await serveNode({ dedupeKey: (e) => `${e.webhook_id}:${e.id}` });
    await server.post(sign([event(1, { webhook_id: '11111111-1111-4111-8111-111111111111' })]));
    await server.post(sign([event(1, { webhook_id: '22222222-2222-4222-8222-222222222222' })]));
    expect(server.received).toHaveLength(2);
  });

  it('should survive an onRefused hook that throws', async () => {
    const server = await serveNode({
      onRefused: () => {
        throw new Error('logger down');
      },
    });
    expect((await server.post({ ...sign([event(1)]), headers: {} })).status).toBe(401);
  });
});

describe('createNodeDeliveryHandler behind frameworks', () => {
  it('should rebuild the path from originalUrl when Express mounted it under a prefix', async () => {
    const server = await serveNode({}, (req, _res, next) => {
      // What app.use('/webhooks', router) does to the request.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url ?? '/';
      req.url = req.url!.slice('/webhooks'.length);
      next();
    });
    expect((await server.post(sign([event(1)]))).status).toBe(200);
  });

  it('should use a body express.raw() already read', async () => {
    const server = await serveNode({}, (req, _res, next) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        (req as IncomingMessage & { body?: unknown }).body = Buffer.concat(chunks);
        next();
      });
    });
    expect((await server.post(sign([event(1)]))).status).toBe(200);
  });

  it('should answer 500 and say why when express.json() consumed the raw body', async () => {
    const server = await serveNode({}, (req, _res, next) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        (req as IncomingMessage & { body?: unknown }).body = JSON.parse(
          Buffer.concat(chunks).toString(),
        ) as unknown;
        next();
      });
    });
    const response = await server.post(sign([event(1)]));
    expect(response.status).toBe(500);
    expect(String(server.errors[0])).toMatch(/express\.json\(\)/);
  });

  it('should verify @authority against publicOrigin when a proxy rewrote the host', async () => {
    const delivery = sign([event(1)], { components: ['@method', '@authority', '@path', 'digest'] });
    const plain = await serveNode();
    expect((await plain.post(delivery)).status).toBe(401);
    const proxied = await serveNode({ publicOrigin: 'https://tenant.tld' });
    expect((await proxied.post(delivery)).status).toBe(200);
  });
});

describe('createFetchDeliveryHandler', () => {
  const handle = createFetchDeliveryHandler({
    keys: pair.jwks,
    now: () => NOW,
    onEvents: () => undefined,
  });

  it('should stop reading a streamed body without content-length at the cap', async () => {
    let pulled = 0;
    const capped = createFetchDeliveryHandler({
      keys: pair.jwks,
      now: () => NOW,
      onEvents: () => undefined,
      maxBodyBytes: 10_000,
    });
    // Headers that pass the checks made before the body is read (a streamed body has no length).
    const { headers } = sign([event(1)], { components: ['@method', '@path', 'digest'] });
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(4096));
        if (pulled > 1000) controller.close();
      },
    });
    const response = await capped(
      new Request(`https://tenant.tld${PATH}`, {
        method: 'POST',
        headers: { ...headers, 'content-length': '' },
        body: stream,
        duplex: 'half',
      }),
    );
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });

  it('should answer 413 from content-length alone', async () => {
    const capped = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => undefined,
      maxBodyBytes: 10,
    });
    const delivery = sign([event(1)]);
    const response = await capped(
      new Request(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body }),
    );
    expect(response.status).toBe(413);
  });

  it('should answer 500 when the body was already read', async () => {
    const delivery = sign([event(1)]);
    const request = new Request(delivery.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    await request.text();
    expect((await handle(request)).status).toBe(500);
  });
});

describe('reading the body, at its limits', () => {
  // Not covering content-length, so that the same signed delivery can be sent without one.
  const delivery = sign([event(1)], { components: ['@method', '@path', 'content-type', 'digest'] });
  const size = Buffer.byteLength(delivery.body);
  const options = (extra: Partial<DeliveryHandlerOptions> = {}): DeliveryHandlerOptions => ({
    keys: pair.jwks,
    now: () => NOW,
    onEvents: () => undefined,
    ...extra,
  });
  const { 'content-length': _declared, ...undeclared } = delivery.headers;
  /** The delivery as a Fetch request; `stream` sends it in chunks without a content-length. */
  const fetchRequest = (stream = false) =>
    new Request(delivery.url, {
      method: 'POST',
      headers: stream ? undeclared : delivery.headers,
      body: stream
        ? new ReadableStream<Uint8Array>({
            start(controller) {
              const bytes = Buffer.from(delivery.body);
              controller.enqueue(bytes.subarray(0, 10));
              controller.enqueue(bytes.subarray(10));
              controller.close();
            },
          })
        : delivery.body,
      duplex: 'half',
    });

  it.each([
    ['declared in content-length', false],
    ['counted while streaming', true],
  ])(
    'should accept a body of exactly maxBodyBytes, %s, and refuse one byte more',
    async (_, stream) => {
      const exact = createFetchDeliveryHandler(options({ maxBodyBytes: size }));
      expect((await exact(fetchRequest(stream))).status).toBe(200);
      const under = createFetchDeliveryHandler(options({ maxBodyBytes: size - 1 }));
      const refused = await under(fetchRequest(stream));
      expect(refused.status).toBe(413);
      expect(refused.headers.get('connection')).toBe('close');
      expect(await refused.json()).toEqual({
        type: 'payload_too_large',
        status: 413,
        title: 'Payload too large',
        detail: `the delivery exceeds ${size - 1} bytes`,
      });
    },
  );

  it('should answer 408 naming the time limit when the body stops arriving', async () => {
    const handle = createFetchDeliveryHandler(options({ bodyTimeoutMs: 50 }));
    const started = Date.now();
    const stalled = new Request(delivery.url, {
      method: 'POST',
      headers: { ...delivery.headers, 'content-length': '' },
      body: new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(5)) }),
      duplex: 'half',
    });
    const response = await handle(stalled);
    expect(response.status).toBe(408);
    // The limit given, not the 10 s default (a loose bound: a loaded machine is slow).
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({
      type: 'request_timeout',
      status: 408,
      title: 'Request timeout',
      detail: 'the delivery body did not arrive within 50 ms',
    });
  });

  it('should accept the exact limit on the Node handler, declared or chunked, and refuse one byte more', async () => {
    const post = async (limit: number, chunked: boolean) => {
      const server = await serveNode({ maxBodyBytes: limit });
      const { origin } = server;
      const body = Buffer.from(delivery.body);
      return new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${origin}${PATH}`, {
          method: 'POST',
          headers: chunked ? { ...undeclared, 'transfer-encoding': 'chunked' } : delivery.headers,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        if (chunked) {
          req.write(body.subarray(0, 7));
          req.end(body.subarray(7));
        } else req.end(body);
      });
    };
    expect(await post(size, false)).toBe(200);
    expect(await post(size - 1, false)).toBe(413);
    expect(await post(size, true)).toBe(200);
    expect(await post(size - 1, true)).toBe(413);
  });

  it('should read a body a middleware decoded to text with setEncoding', async () => {
    const server = await serveNode({}, (req, _res, next) => {
      req.setEncoding('utf8');
      next();
    });
    expect((await server.post(delivery)).status).toBe(200);
  });

  it('should use a body a parser left as a string, and refuse a parsed buffer above the limit', async () => {
    const parsed =
      (body: (raw: Buffer) => unknown) =>
      (req: IncomingMessage, _res: ServerResponse, next: () => void) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          (req as IncomingMessage & { body?: unknown }).body = body(Buffer.concat(chunks));
          next();
        });
      };
    const text = await serveNode(
      {},
      parsed((raw) => raw.toString('utf8')),
    );
    expect((await text.post(delivery)).status).toBe(200);
    const rawParser = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      // The declared length would be refused first; a parser that already read it leaves none.
      delete req.headers['content-length'];
      parsed((raw) => raw)(req, res, next);
    };
    const small = await serveNode({ maxBodyBytes: size - 1 }, rawParser);
    expect((await small.post(delivery)).status).toBe(413);
    const exact = await serveNode({ maxBodyBytes: size }, rawParser);
    expect((await exact.post(delivery)).status).toBe(200);
  });

  it('should say how to mount the handler when express.json() took the raw body', async () => {
    const server = await serveNode({}, (req, _res, next) => {
      req.resume();
      req.on('end', () => {
        (req as IncomingMessage & { body?: unknown }).body = { payload: [] };
        next();
      });
    });
    const response = await server.post(delivery);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ type: 'receiver_misconfigured' });
    expect(String(server.errors[0])).toContain('mount the delivery handler before express.json()');
  });

  it('should say the body was already read when a Fetch request arrives used', async () => {
    const errors: unknown[] = [];
    const handle = createFetchDeliveryHandler(options({ onError: (e) => void errors.push(e) }));
    const used = fetchRequest();
    await used.text();
    const response = await handle(used);
    expect(await response.json()).toMatchObject({
      status: 500,
      type: 'receiver_misconfigured',
      title: 'Receiver misconfigured',
    });
    expect(String(errors[0])).toContain('pass the untouched Request');
  });

  it('should report a connection closed mid-body to onError and stop waiting for it', async () => {
    const server = await serveNode();
    const { origin } = server;
    const socket = connect(Number(new URL(origin).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${PATH} HTTP/1.1\r\nhost: tenant.tld\r\n` +
        Object.entries(delivery.headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${delivery.body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    // Node reports the torn body as an `aborted` error; the handler settles on it, once.
    await expect.poll(() => server.errors.length).toBe(1);
    expect(String(server.errors[0])).toContain('aborted');
  });
});
