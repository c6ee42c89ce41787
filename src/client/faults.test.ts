import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UpvestAbortError,
  UpvestApiError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestTimeoutError,
  UpvestWebhooksError,
} from '../errors.js';
import {
  json,
  startLoopbackServer,
  type ReceivedRequest,
} from '../test-support/loopback-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import { createWebhooksClient, type WebhooksClientOptions } from './webhooks-client.js';

const ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const webhook = seedResponse;
const page = { meta: { offset: 0, limit: 100, count: 1, total_count: 1 }, data: [webhook] };
const createInput = { title: 'User webhook', url: 'https://tenant.tld/webhooks/users' };

/** One scripted answer per request, in order; the last one repeats. */
type Step = (response: ServerResponse, request: ReceivedRequest) => void;

const status =
  (
    code: number,
    headers: Record<string, string> = {},
    body: unknown = { type: 'x', status: code },
  ): Step =>
  (response) =>
    json(response, code, body, { 'content-type': 'application/problem+json', ...headers });
const ok =
  (code: number, body: unknown): Step =>
  (response) =>
    json(response, code, body);
const slow =
  (ms: number, then: Step): Step =>
  (response, request) =>
    void setTimeout(() => {
      if (!response.destroyed) then(response, request);
    }, ms);
const resetMidBody: Step = (response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
  response.write('{"id": "a8eb3540');
  setTimeout(() => response.socket?.destroy(), 10);
};

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function scripted(steps: Step[], options: Partial<WebhooksClientOptions> = {}) {
  let index = 0;
  const server = await startLoopbackServer((request, response) => {
    const step = steps[Math.min(index, steps.length - 1)];
    index += 1;
    step?.(response, request);
  });
  servers.push(server);
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    accessToken: 'dG9rZW4',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  return { client, requests: () => server.received.length };
}

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );

describe('retries, time limits and faults', () => {
  it('should retry a list through two 503s and succeed on the third request', async () => {
    const { client, requests } = await scripted([status(503), status(503), ok(200, page)]);
    await expect(client.list()).resolves.toEqual(page);
    expect(requests()).toBe(3);
  });

  it('should retry a create through 429s, which mean it was not processed', async () => {
    const { client, requests } = await scripted([
      status(429, { 'retry-after': '0' }),
      status(429),
      ok(201, webhook),
    ]);
    await expect(client.create(createInput)).resolves.toEqual(webhook);
    expect(requests()).toBe(3);
  });

  it('should give up after maxAttempts with the last 429 as a typed error', async () => {
    const { client, requests } = await scripted([status(429)]);
    const { error } = await settle(client.list());
    expect(error).toBeInstanceOf(UpvestApiError);
    expect((error as UpvestApiError).status).toBe(429);
    expect(requests()).toBe(3);
  });

  it('should honour Retry-After: a wait beyond the deadline ends the call after one request', async () => {
    const { client, requests } = await scripted(
      [status(429, { 'retry-after': '5' }), ok(200, page)],
      {
        deadlineMs: 1000,
        retry: { baseDelayMs: 1, maxDelayMs: 10_000 },
      },
    );
    const { error } = await settle(client.list());
    expect((error as UpvestApiError).status).toBe(429);
    expect(requests()).toBe(1);
  });

  it('should never repeat a create that timed out, and say the webhook may exist', async () => {
    const { client, requests } = await scripted([slow(2000, ok(201, webhook))], { timeoutMs: 100 });
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect((error as UpvestTimeoutError).requestMayHaveReachedServer).toBe(true);
    expect((error as Error).message).toContain('may or may not have been created');
    expect(requests()).toBe(1);
  });

  it('should repeat a read that timed out', async () => {
    const { client, requests } = await scripted([slow(2000, ok(200, page)), ok(200, page)], {
      timeoutMs: 100,
    });
    await expect(client.list()).resolves.toEqual(page);
    expect(requests()).toBe(2);
  });

  it('should stop at the total deadline even when each attempt is within its own timeout', async () => {
    const { client, requests } = await scripted([slow(300, status(503))], {
      timeoutMs: 1000,
      deadlineMs: 500,
    });
    const { error } = await settle(client.list());
    expect(error).toBeInstanceOf(UpvestWebhooksError);
    expect(requests()).toBeLessThanOrEqual(2);
  });

  it('should never repeat a create whose connection was reset mid-body', async () => {
    const { client, requests } = await scripted([resetMidBody, ok(201, webhook)]);
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestNetworkError);
    expect((error as UpvestNetworkError).requestMayHaveReachedServer).toBe(true);
    expect((error as Error).message).toContain('may or may not have been created');
    expect(requests()).toBe(1);
  });

  it('should repeat a retrieve whose connection was reset mid-body', async () => {
    const { client, requests } = await scripted([resetMidBody, ok(200, webhook)]);
    await expect(client.retrieve(ID)).resolves.toEqual(webhook);
    expect(requests()).toBe(2);
  });

  it('should not retry malformed JSON in a 200', async () => {
    const { client, requests } = await scripted([
      (r) => (r.writeHead(200, { 'content-type': 'application/json' }), r.end('{"id":')),
    ]);
    const { error } = await settle(client.retrieve(ID));
    expect(error).toBeInstanceOf(UpvestResponseError);
    expect(requests()).toBe(1);
  });

  it('should not retry a 200 whose body is text/plain and not JSON', async () => {
    const { client, requests } = await scripted([
      (r) => (r.writeHead(200, { 'content-type': 'text/plain' }), r.end('OK')),
    ]);
    await expect(client.retrieve(ID)).rejects.toBeInstanceOf(UpvestResponseError);
    expect(requests()).toBe(1);
  });

  const htmlBadGateway: Step = (r) => (
    r.writeHead(502, { 'content-type': 'text/html' }),
    r.end('<h1>Bad gateway</h1>')
  );

  it('should retry an HTML 502 on a read and surface it without a problem body', async () => {
    const { client, requests } = await scripted([htmlBadGateway]);
    const { error } = await settle(client.list());
    expect(error).toMatchObject({ status: 502, problem: undefined });
    expect(requests()).toBe(3);
  });

  it('should not retry an HTML 502 on a create, which may have been processed', async () => {
    const { client, requests } = await scripted([htmlBadGateway, ok(201, webhook)]);
    const { error } = await settle(client.create(createInput));
    expect(error).toMatchObject({ status: 502 });
    expect(requests()).toBe(1);
  });

  it('should surface a redirect without following or retrying it (R3)', async () => {
    const { client, requests } = await scripted([
      (r) => (r.writeHead(307, { location: 'https://elsewhere.tld/webhooks' }), r.end()),
    ]);
    const { error } = await settle(client.create(createInput));
    expect(error).toMatchObject({ status: 307 });
    expect((error as Error).message).toContain('elsewhere.tld');
    expect(requests()).toBe(1);
  });

  it("should abort at once on the caller's signal, without retrying", async () => {
    const { client, requests } = await scripted([slow(2000, ok(200, page))]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { error } = await settle(client.list({}, { signal: controller.signal }));
    expect(error).toBeInstanceOf(UpvestAbortError);
    expect(requests()).toBe(1);
  });

  it('should sign every attempt afresh', async () => {
    const signed: string[] = [];
    const { client, requests } = await scripted([status(503), ok(200, page)], {
      signer: () => {
        signed.push(`nonce-${signed.length}`);
        return { signature: `sig1=:${Buffer.from(String(signed.length)).toString('base64')}:` };
      },
    });
    await client.list();
    expect(requests()).toBe(2);
    expect(signed).toHaveLength(2);
  });

  it('should send nothing more with retries turned off', async () => {
    const { client, requests } = await scripted([status(503), ok(200, page)], { retry: false });
    await expect(client.list()).rejects.toMatchObject({ status: 503 });
    expect(requests()).toBe(1);
  });
});
