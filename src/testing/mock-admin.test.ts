import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { validateWebhookEvent } from '../../generated/validators.js';
import { createWebhooksClient, type WebhooksClient } from '../client/webhooks-client.js';
import { createNodeDeliveryHandler } from '../receiver/handler.js';
import type { DeliveryEvent } from '../receiver/events.js';
import {
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestTimeoutError,
  UpvestWebhooksError,
} from '../errors.js';
import { batchesOf, receives } from './mock-deliveries.js';
import { startMockServer, type MockServer, type MockServerOptions } from './mock-server.js';

const USERS = { title: 'Users', url: 'https://tenant.tld/webhooks/users' };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWithClient(options: MockServerOptions = {}, retry = { baseDelayMs: 1 }) {
  const mock = await startMockServer({ requestSignatures: 'off', ...options });
  cleanup.push(() => mock.close());
  const client = createWebhooksClient({
    baseUrl: mock.url,
    clientId: mock.credentials.clientId,
    accessToken: mock.issueToken(['webhooks:admin', 'webhooks:read']),
    retry,
    timeoutMs: 2_000,
  });
  return { mock, client };
}

/**
 * A receiver built with the package's own handler, trusting the mock's delivery keys. The mock
 * sends one event to several webhooks under one id, so the receiver dedupes per webhook.
 */
async function receiverFor(client: WebhooksClient) {
  const batches: DeliveryEvent[][] = [];
  const handler = createNodeDeliveryHandler({
    keys: await client.verificationKeys(),
    dedupeKey: (event) => `${String(event.webhook_id)}/${event.id}`,
    onEvents: (events) => void batches.push([...events]),
  });
  const server: Server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, batches };
}

const admin = (mock: MockServer, path: string, init: RequestInit = {}) =>
  fetch(`${mock.url}/__mock${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });

describe('injected faults', () => {
  it('should answer the next two requests 429 with Retry-After, then answer as the API does', async () => {
    const { mock, client } = await mockWithClient({}, { baseDelayMs: 1 });
    const injected = await admin(mock, '/faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'rate_limited', retryAfterSeconds: 0, times: 2 }),
    });
    expect(injected.status).toBe(201);
    expect(await client.list()).toMatchObject({ data: [] });
    expect(mock.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, 'rate_limited'],
      [429, 'rate_limited'],
      [200, undefined],
    ]);
  });

  it('should send the Retry-After header and a too_many_requests problem', async () => {
    const { mock } = await mockWithClient();
    mock.injectFault({ kind: 'rate_limited', retryAfterSeconds: 7 });
    const response = await fetch(`${mock.url}/webhooks`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({
      type: 'https://docs.upvest.co/errors/too_many_requests',
      status: 429,
    });
  });

  it('should let the client retry a list through a 503 and a reset, and succeed', async () => {
    const { mock, client } = await mockWithClient();
    mock.injectFault({ kind: 'unavailable' });
    mock.injectFault({ kind: 'reset' });
    await expect(client.list()).resolves.toMatchObject({ data: [] });
    expect(mock.requests.map((r) => r.fault)).toEqual(['unavailable', 'reset', undefined]);
  });

  it('should create once when the answer to a create is lost after the webhook was stored', async () => {
    const { mock, client } = await mockWithClient();
    mock.injectFault({ kind: 'reset', afterEffect: true, operation: 'create_webhook' });
    const failure = await client.create(USERS).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpvestNetworkError);
    // The write happened once and was not repeated: the client cannot know, and says so.
    expect(mock.webhooks()).toHaveLength(1);
    expect(mock.requests.filter((r) => r.operationId === 'create_webhook')).toHaveLength(1);
  });

  it('should store nothing when the connection is reset before the create took effect', async () => {
    const { mock, client } = await mockWithClient({}, false as never);
    mock.injectFault({ kind: 'reset', operation: 'create_webhook' });
    await expect(client.create(USERS)).rejects.toBeInstanceOf(UpvestWebhooksError);
    expect(mock.webhooks()).toHaveLength(0);
  });

  it('should leave requests to other operations alone when a fault names one', async () => {
    const { mock, client } = await mockWithClient();
    mock.injectFault({ kind: 'unavailable', operation: 'delete_webhook', times: 3 });
    await client.list();
    await client.create(USERS);
    expect(mock.requests.every((r) => r.fault === undefined)).toBe(true);
    expect(mock.pendingFaults()).toEqual([
      { kind: 'unavailable', operation: 'delete_webhook', times: 3, remaining: 3 },
    ]);
  });

  it("should hold an answer past the client's time limit with a delay, then answer the next request at once", async () => {
    const { mock } = await mockWithClient();
    const client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      accessToken: mock.issueToken(['webhooks:read']),
      retry: false,
      timeoutMs: 200,
    });
    mock.injectFault({ kind: 'delay', delayMs: 2_000 });
    await expect(client.list()).rejects.toBeInstanceOf(UpvestTimeoutError);
    await expect(client.list()).resolves.toMatchObject({ data: [] });
  });

  it('should close at once while an injected delay is under way', async () => {
    const mock = await startMockServer({ requestSignatures: 'off' });
    mock.injectFault({ kind: 'delay', delayMs: 60_000 });
    const waiting = fetch(`${mock.url}/webhooks`).catch(() => 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await mock.close();
    expect(await waiting).toBe('closed');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('should refuse an invalid fault with 400 and a pointer to each field, from HTTP and from code', async () => {
    const { mock } = await mockWithClient();
    const response = await admin(mock, '/faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'delay', times: 0 }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { details: { pointer: string }[] };
    expect(problem.details.map((d) => d.pointer).sort()).toEqual(['/delayMs', '/times']);
    expect(() => mock.injectFault({ kind: 'delay', delayMs: -1 })).toThrow(
      UpvestConfigurationError,
    );
    expect(mock.pendingFaults()).toEqual([]);
  });

  it('should list and clear waiting faults over HTTP, and forget them on reset', async () => {
    const { mock } = await mockWithClient();
    mock.injectFault({ kind: 'reset', times: 4 });
    const listed = await admin(mock, '/faults');
    expect(await listed.json()).toEqual({ faults: [{ kind: 'reset', times: 4, remaining: 4 }] });
    expect((await admin(mock, '/faults', { method: 'DELETE' })).status).toBe(204);
    expect(mock.pendingFaults()).toEqual([]);
    mock.injectFault({ kind: 'reset' });
    mock.reset();
    expect(mock.pendingFaults()).toEqual([]);
  });

  it('should neither count nor record admin requests, nor fault them', async () => {
    const { mock } = await mockWithClient();
    mock.injectFault({ kind: 'reset' });
    expect((await admin(mock, '/faults')).status).toBe(200);
    expect((await admin(mock, '/nothing')).status).toBe(404);
    const wrongMethod = await admin(mock, '/deliveries', { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(mock.requestCount).toBe(0);
    expect(mock.pendingFaults()).toHaveLength(1);
  });
});

describe('triggered events', () => {
  async function subscribed(client: WebhooksClient, type: string[], enabled = true) {
    const webhook = await client.create({ ...USERS, title: type.join(' '), type: type as never });
    return enabled ? client.enable(webhook.id) : webhook;
  }

  it('should deliver signed events that verify with the served keys, to enabled webhooks of the category only', async () => {
    let target = '';
    const { mock, client } = await mockWithClient({ deliveryTarget: () => target });
    const receiver = await receiverFor(client);
    target = receiver.url;
    const everything = await subscribed(client, ['ALL']);
    const orders = await subscribed(client, ['ORDER']);
    const users = await subscribed(client, ['USER']);
    await subscribed(client, ['ORDER'], false);

    const result = mock.triggerEvents({ type: 'ORDER.FILLED', count: 3 });
    await mock.deliveriesSettled();

    expect(result.events.map((e) => e.type)).toEqual(Array(3).fill('ORDER.FILLED'));
    expect(result.deliveries.map((d) => d.webhookId).sort()).toEqual(
      [everything.id, orders.id].sort(),
    );
    expect(result.deliveries.map((d) => d.webhookId)).not.toContain(users.id);
    expect(mock.deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(receiver.batches).toHaveLength(2);
    for (const batch of receiver.batches) {
      expect(batch.map((e) => e.id)).toEqual(result.events.map((e) => e.id));
      for (const event of batch) {
        expect(event.known).toBe(true);
        const { known: _known, ...raw } = event;
        expect(validateWebhookEvent(raw), JSON.stringify(raw)).toBe(true);
      }
    }
    expect(new Set(receiver.batches.map((b) => b[0]?.webhook_id))).toEqual(
      new Set([everything.id, orders.id]),
    );
  });

  it('should make one event per type of a category, and split deliveries by max_package_size (R6)', async () => {
    let target = '';
    const { mock, client } = await mockWithClient({ deliveryTarget: () => target });
    const receiver = await receiverFor(client);
    target = receiver.url;
    const small = await client.enable(
      (await client.create({ ...USERS, config: { max_package_size: 400 } })).id,
    );
    const result = mock.triggerEvents({ type: 'USER' });
    await mock.deliveriesSettled();
    expect(new Set(result.events.map((e) => e.type)).size).toBe(result.events.length);
    expect(result.events.length).toBeGreaterThan(3);
    expect(result.deliveries.length).toBeGreaterThan(1);
    expect(result.deliveries.every((d) => d.webhookId === small.id)).toBe(true);
    expect(receiver.batches.flat().map((e) => e.id)).toEqual(result.events.map((e) => e.id));
  });

  it('should trigger over HTTP, and answer 409 when the mock has nowhere to deliver', async () => {
    const { mock, client } = await mockWithClient();
    await subscribed(client, ['ALL']);
    const response = await admin(mock, '/events', {
      method: 'POST',
      body: JSON.stringify({ type: 'USER.CREATED' }),
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      detail: expect.stringContaining('--deliver-to') as unknown,
    });
    expect(() => mock.triggerEvents({ type: 'USER.CREATED' })).toThrow(UpvestConfigurationError);
  });

  it('should refuse an unknown type and a count out of range with 400', async () => {
    const { mock } = await mockWithClient({ deliveryTarget: 'http://127.0.0.1:1/' });
    const response = await admin(mock, '/events', {
      method: 'POST',
      body: JSON.stringify({ type: 'ORDER.EXPLODED', count: 0, colour: 'red' }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { details: { pointer: string }[] };
    expect(problem.details.map((d) => d.pointer).sort()).toEqual(['/colour', '/count', '/type']);
  });

  it('should list deliveries over HTTP with every event id', async () => {
    let target = '';
    const { mock, client } = await mockWithClient({ deliveryTarget: () => target });
    target = (await receiverFor(client)).url;
    await subscribed(client, ['ALL']);
    const response = await admin(mock, '/events', {
      method: 'POST',
      body: JSON.stringify({ type: 'ORDER.FILLED', count: 2, object: { id: 'order-1' } }),
    });
    expect(response.status).toBe(202);
    await mock.deliveriesSettled();
    const listed = (await (await admin(mock, '/deliveries')).json()) as {
      deliveries: { status: number; eventIds: string[] }[];
    };
    expect(listed.deliveries).toHaveLength(1);
    expect(listed.deliveries[0]).toMatchObject({ status: 200 });
    expect(listed.deliveries[0]?.eventIds).toHaveLength(2);
  });
});

describe('redelivery', () => {
  async function delivered() {
    let target = '';
    const { mock, client } = await mockWithClient({ deliveryTarget: () => target });
    const receiver = await receiverFor(client);
    target = receiver.url;
    const webhook = await client.enable((await client.create(USERS)).id);
    mock.triggerEvents({ type: 'USER.CREATED' });
    await mock.deliveriesSettled();
    return { mock, client, receiver, webhook, first: mock.deliveries[0]! };
  }

  it('should send the events of a delivery again, signed afresh, under a new delivery id', async () => {
    const { mock, receiver, webhook, first } = await delivered();
    const response = await admin(mock, `/deliveries/${first.id}/redeliver`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ webhookId: webhook.id, eventIds: first.eventIds });
    await mock.deliveriesSettled();
    const [, again] = mock.deliveries;
    expect(again).toMatchObject({ webhookId: webhook.id, eventIds: first.eventIds, status: 200 });
    expect(again?.id).not.toBe(first.id);
    // The receiver saw the same event twice (it dedupes, so one batch has it as seen before).
    expect(receiver.batches.flat().map((event) => event.id)).toContain(first.eventId);
  });

  it('should answer 404 for a delivery it does not know and 409 for a webhook now disabled', async () => {
    const { mock, client, webhook, first } = await delivered();
    const redeliver = (id: string) =>
      admin(mock, `/deliveries/${id}/redeliver`, { method: 'POST' });
    expect((await redeliver('no-such-delivery')).status).toBe(404);
    await client.disable(webhook.id);
    const refused = await redeliver(first.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toContain('disabled');
    expect((await admin(mock, `/deliveries/${first.id}/redeliver`)).status).toBe(405);
  });
});

describe('receives', () => {
  it.each([
    ['ALL takes every type', ['ALL'], true, 'USER_CHECK.PASSED', true],
    ['a category takes its types', ['ORDER'], true, 'ORDER.FILLED', true],
    ['USER does not take USER_CHECK', ['USER'], true, 'USER_CHECK.PASSED', false],
    ['a disabled webhook takes nothing', ['ALL'], false, 'USER.CREATED', false],
  ] as const)('%s', (_name, type, enabled, eventType, expected) => {
    expect(receives({ type: [...type], enabled } as never, eventType)).toBe(expected);
  });
});

describe('batchesOf', () => {
  const event = (n: number) => ({ id: String(n).padStart(10, '0') }); // 19 bytes as JSON

  it('should keep every event, in order, in batches no larger than the limit except a lone large event', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i));
    const batches = batchesOf(events, 14 + 3 * 19 + 2);
    expect(batches.flat()).toEqual(events);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify({ payload: batch }))).toBeLessThanOrEqual(73);
    }
    expect(batchesOf(events, 10)).toHaveLength(10);
    expect(batchesOf(events, undefined)).toEqual([events]);
    expect(batchesOf([], 100)).toEqual([]);
  });

  it('should batch a webhook without max_package_size at the spec maximum, 1 MiB (audit finding 8)', () => {
    // 7,000 events of about 1.7 kB: the audit's 11.8 MB single delivery.
    const events = Array.from({ length: 7_000 }, (_, i) => ({ id: i, pad: 'x'.repeat(1_680) }));
    const batches = batchesOf(events, undefined);
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.flat()).toEqual(events);
    for (const batch of batches) {
      expect(Buffer.byteLength(JSON.stringify({ payload: batch }))).toBeLessThanOrEqual(1_048_576);
    }
  });

  it('should send an event larger than 1 MiB alone, the only delivery above the limit', () => {
    const big = { id: 'big', pad: 'x'.repeat(1_100_000) };
    const small = { id: 'small' };
    expect(batchesOf([small, big, small], undefined)).toEqual([[small], [big], [small]]);
  });
});

/** A GET of the admin deliveries list with the headers given, over node:http (it sends any Host). */
function adminGet(mock: MockServer, headers: Record<string, string>): Promise<number> {
  const { port } = new URL(mock.url);
  return new Promise((resolve, reject) => {
    // An empty host means none at all (HTTP/1.1 requires one; a raw client may still omit it).
    const { host, ...rest } = headers;
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/__mock/deliveries',
        headers: host ? { host, ...rest } : rest,
        setHost: Boolean(host),
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('who may use the admin endpoints (audit finding 7)', () => {
  async function mockWith(options: MockServerOptions = {}) {
    const mock = await startMockServer({ requestSignatures: 'off', ...options });
    cleanup.push(() => mock.close());
    return mock;
  }

  it.each([
    ['localhost', { host: 'localhost:4010' }, 200],
    ['127.0.0.1', { host: '127.0.0.1:4010' }, 200],
    ['another loopback address', { host: '127.1.2.3' }, 200],
    ['[::1]', { host: '[::1]:4010' }, 200],
    ['a rebinding page: its own host', { host: 'evil.example:4010' }, 403],
    [
      'a rebinding page: a loopback host but its own origin',
      { host: '127.0.0.1:4010', origin: 'http://evil.example:4010' },
      403,
    ],
    ["the mock's own page", { host: '127.0.0.1:4010', origin: 'http://127.0.0.1:4010' }, 200],
    // Node's server refuses an HTTP/1.1 request without Host before the mock sees it.
    ['no host at all', { host: '' }, 400],
    ['a host that is a loopback name with a suffix', { host: 'localhost.evil.example' }, 403],
  ])('should answer a request addressed to %s with %s', async (_name, headers, status) => {
    expect(await adminGet(await mockWith(), headers)).toBe(status);
  });

  it("should accept a control of the inspector page: a POST from the mock's own origin", async () => {
    const mock = await mockWith();
    const answer = await new Promise<number>((resolve, reject) => {
      const { host, port } = new URL(mock.url);
      // What Chromium sends for the page's fetch: Host and Origin both name the mock.
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/__mock/faults',
          headers: { origin: mock.url, host, 'content-type': 'application/json' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(JSON.stringify({ kind: 'unavailable' }));
    });
    expect(answer).toBe(201);
    expect(mock.pendingFaults()).toHaveLength(1);
  });

  it('should answer the hosts it was told to serve, and the interface it listens on', async () => {
    const mock = await mockWith({ adminHosts: ['mock.internal'] });
    expect(await adminGet(mock, { host: 'mock.internal:4010' })).toBe(200);
    expect(await adminGet(mock, { host: 'other.internal' })).toBe(403);
  });

  it('should demand the admin token as a bearer token when one is set, and keep the API open', async () => {
    const mock = await mockWith({ adminToken: 'admin-s3cret' });
    expect(await adminGet(mock, { host: 'localhost' })).toBe(401);
    expect(await adminGet(mock, { host: 'localhost', authorization: 'Bearer wrong' })).toBe(401);
    expect(await adminGet(mock, { host: 'localhost', authorization: 'Bearer admin-s3cret' })).toBe(
      200,
    );
    // The API's own endpoints do not need it.
    const keys = await fetch(`${mock.url}/auth/verify_keys`, {
      headers: {
        'upvest-client-id': mock.credentials.clientId,
        authorization: `Bearer ${mock.issueToken(['webhooks:read'])}`,
      },
    });
    expect(keys.status).toBe(200);
  });
});
