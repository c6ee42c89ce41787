/**
 * The time limits a caller relies on, attacked where they broke before: signed and unsigned
 * requests against a server that accepts the connection and never answers, with garbage
 * collection forced between and during attempts (a signal that only a collectable object follows
 * is lost by then).
 */
import { generateKeyPairSync } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { UpvestAbortError, UpvestApiError, UpvestTimeoutError } from '../errors.js';
import { answer, startFaultServer, type FaultServer } from '../test-support/fault-server.js';
import type { WebhooksClientOptions } from './options.js';
import { createWebhooksClient } from './webhooks-client.js';

// `--expose-gc` without a command-line flag, so the test runs under any runner.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server that reads every request and answers none; it collects garbage as each arrives. */
async function silentServer() {
  let closed = 0;
  const server = await startFaultServer({
    '*': [
      (response, request) => {
        response.on('close', () => (closed += 1));
        gc();
        answer.hang(response, request);
      },
    ],
  });
  servers.push(server);
  return { ...server, closed: () => closed };
}

/** Resolves once `condition` holds, polling on real time; fails the test after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5_000) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A client, signing unless `unsigned`; its tokens come from a static token, or from the server
 * with `oauth`.
 */
function signedClient(
  baseUrl: string,
  options: Partial<WebhooksClientOptions> = {},
  { oauth = false, unsigned = false } = {},
) {
  return createWebhooksClient({
    baseUrl,
    clientId: CLIENT_ID,
    ...(oauth ? { clientSecret: 'not-a-real-secret' } : { accessToken: 'dG9rZW4' }),
    ...(unsigned ? {} : { keyId: 'key-1', privateKey }),
    // Collects garbage in every backoff, between one attempt and the next.
    retry: {
      maxAttempts: 3,
      sleep: () => {
        gc();
        return Promise.resolve();
      },
    },
    ...options,
  });
}

/** How long `promise` takes to settle, and with what. */
async function timed(promise: Promise<unknown>) {
  const started = performance.now();
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { error, ms: performance.now() - started };
}

// Signed requests are copied to be signed; unsigned ones go as openapi-fetch built them. Both
// must follow the attempt's signal alone. A create carries a body through the same path.
describe.each([
  ['signed', false],
  ['unsigned', true],
])('time limits of %s requests', (_kind, unsigned) => {
  const clientOf = (baseUrl: string, options: Partial<WebhooksClientOptions>) =>
    signedClient(baseUrl, options, { unsigned });

  it('should end every attempt at timeoutMs, the last one included, whatever the GC collected', async () => {
    const server = await silentServer();
    const client = clientOf(server.url, { timeoutMs: 300, deadlineMs: 20_000 });
    const { error, ms } = await timed(client.list());
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect(server.count('GET /webhooks')).toBe(3);
    // Three attempts of 300 ms; a lost timer would hold the call until Node's own 300 s.
    expect(ms).toBeLessThan(3_000);
  });

  it('should end a create with its body at timeoutMs, whatever the GC collected', async () => {
    const server = await silentServer();
    const client = clientOf(server.url, {
      timeoutMs: 300,
      deadlineMs: 20_000,
      retry: { maxAttempts: 1 },
    });
    const body = {
      title: 'User webhook',
      url: 'https://tenant.tld/hooks',
      type: ['USER' as const],
    };
    const { error, ms } = await timed(client.create(body));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect(server.count('POST /webhooks')).toBe(1);
    expect(ms).toBeLessThan(3_000);
  });

  it('should end the call at the deadline while an attempt is waiting', async () => {
    const server = await silentServer();
    const client = clientOf(server.url, { timeoutMs: 10_000, deadlineMs: 400 });
    const { error, ms } = await timed(client.list());
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect(ms).toBeLessThan(3_000);
  });

  it("should end the call at once when the caller's signal aborts mid-attempt", async () => {
    const server = await silentServer();
    const client = clientOf(server.url, { timeoutMs: 10_000, deadlineMs: 20_000 });
    const controller = new AbortController();
    const pending = timed(client.list({}, { signal: controller.signal }));
    await until(() => server.count('GET /webhooks') === 1);
    gc();
    controller.abort(new Error('the caller gave up'));
    const { error, ms } = await pending;
    expect(error).toBeInstanceOf(UpvestAbortError);
    expect(ms).toBeLessThan(3_000);
  });

  it('should close the connection of an aborted attempt, so the server sees it go', async () => {
    const server = await silentServer();
    const client = clientOf(server.url, {
      timeoutMs: 200,
      deadlineMs: 20_000,
      retry: { maxAttempts: 1 },
    });
    const { error } = await timed(client.list());
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    await until(() => server.closed() === 1);
    expect(server.count()).toBe(1);
  });
});

describe('time limits of the token request', () => {
  it('should end a call whose token request gets no answer at the deadline', async () => {
    const server = await silentServer();
    const client = signedClient(
      server.url,
      {
        timeoutMs: 10_000,
        deadlineMs: 400,
      },
      { oauth: true },
    );
    const { error, ms } = await timed(client.list());
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect((error as Error).message).toMatch(/no access token came/);
    expect(server.count('POST /auth/token')).toBe(1);
    expect(ms).toBeLessThan(3_000);
  });

  it("should end a call waiting for its token at once when the caller's signal aborts", async () => {
    const server = await silentServer();
    const client = signedClient(
      server.url,
      {
        timeoutMs: 10_000,
        deadlineMs: 20_000,
      },
      { oauth: true },
    );
    const controller = new AbortController();
    const pending = timed(client.list({}, { signal: controller.signal }));
    await until(() => server.count('POST /auth/token') === 1);
    gc();
    controller.abort(new Error('the caller gave up'));
    const { error, ms } = await pending;
    expect(error).toBeInstanceOf(UpvestAbortError);
    expect(ms).toBeLessThan(3_000);
  });

  it('should end the token request itself at timeoutMs, so no socket is left open', async () => {
    const server = await silentServer();
    const client = signedClient(
      server.url,
      {
        timeoutMs: 300,
        deadlineMs: 20_000,
        retry: { maxAttempts: 1 },
      },
      { oauth: true },
    );
    await timed(client.list());
    await until(() => server.closed() === 1);
    expect(server.count('POST /auth/token')).toBe(1);
  });
});

describe('the last attempt before the deadline', () => {
  it('should surface a definite 429 rather than start a repeat with no time left to finish', async () => {
    const server = await startFaultServer({
      'GET /webhooks': [answer.slow(700, answer.problem(429, { 'retry-after': '0' })), answer.hang],
    });
    servers.push(server);
    const client = signedClient(server.url, {
      timeoutMs: 1_000,
      deadlineMs: 1_000,
      retry: { maxAttempts: 3, minAttemptMs: 500, sleep: () => Promise.resolve() },
    });
    const { error } = await timed(client.list());
    expect(error).toBeInstanceOf(UpvestApiError);
    expect((error as UpvestApiError).status).toBe(429);
    expect(server.count('GET /webhooks')).toBe(1);
  });

  it('should still repeat when enough time is left', async () => {
    const server = await startFaultServer({
      'GET /webhooks': [answer.problem(503), answer.problem(503)],
    });
    servers.push(server);
    const client = signedClient(server.url, {
      timeoutMs: 1_000,
      deadlineMs: 5_000,
      retry: { maxAttempts: 3, minAttemptMs: 500, sleep: () => Promise.resolve() },
    });
    await timed(client.list());
    expect(server.count('GET /webhooks')).toBe(3);
  });
});
