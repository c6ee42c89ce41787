import { afterEach, describe, expect, it } from 'vitest';
import {
  UpvestAbortError,
  UpvestApiError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestSigningError,
  UpvestTimeoutError,
  UpvestWebhooksError,
} from '../errors.js';
import {
  answer,
  startFaultServer,
  type Fault,
  type FaultServer,
} from '../test-support/fault-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import type { RetryOptions } from './retry-policy.js';
import type { WebhooksClientOptions } from './options.js';
import { createWebhooksClient, type WebhooksClient } from './webhooks-client.js';

const ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const webhook = seedResponse;
const page = { meta: { offset: 0, limit: 100, count: 1, total_count: 1 }, data: [webhook] };
const jwks = {
  keys: [
    {
      kty: 'EC',
      crv: 'P-521',
      kid: '0d1f8e0c-4a53-4d7b-9c45-5b9a7c2e6f10',
      x: 'AcYAf5Ou0UvtehpeRvyhnvvrUQvjI4B3VCxfSmxK4gqKJGxO_jTB-nTdrHbBfmZpwmwYR86DppMg43E579K5MQ54',
      y: 'ALkrId77iD0Ye2vBS5bTkLqPH-bo8urTpTXiNc6Ub-VOFbXfJrR0tQ8COvVXXu58BTu8jWV-1mtbjfJpDl3ISbcK',
    },
  ],
};
const createInput = { title: 'User webhook', url: 'https://tenant.tld/webhooks/users' };

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Waits nothing, but remembers every wait the client asked for. */
function recordingSleep() {
  const waits: number[] = [];
  const sleep: NonNullable<RetryOptions['sleep']> = (ms) => {
    waits.push(ms);
    return Promise.resolve();
  };
  return { waits, sleep };
}

async function setup(
  script: Record<string, readonly Fault[]>,
  options: Partial<WebhooksClientOptions> = {},
) {
  const server = await startFaultServer(script);
  servers.push(server);
  const { waits, sleep } = recordingSleep();
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    accessToken: 'dG9rZW4',
    retry: { sleep, random: () => 0.5 },
    ...options,
  });
  return { server, client, waits };
}

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );

/** Every operation: its route, a call, and the answer that means success. */
const operations: Record<
  string,
  { route: string; call: (c: WebhooksClient) => Promise<unknown>; success: Fault }
> = {
  list: { route: 'GET /webhooks', call: (c) => c.list(), success: answer.json(200, page) },
  retrieve: {
    route: `GET /webhooks/${ID}`,
    call: (c) => c.retrieve(ID),
    success: answer.json(200, webhook),
  },
  verificationKeys: {
    route: 'GET /auth/verify_keys',
    call: (c) => c.verificationKeys(),
    success: answer.json(200, jwks),
  },
  update: {
    route: `PATCH /webhooks/${ID}`,
    call: (c) => c.update(ID, { title: 'Renamed' }),
    success: answer.json(200, webhook),
  },
  delete: {
    route: `DELETE /webhooks/${ID}`,
    call: (c) => c.delete(ID),
    success: answer.empty(204),
  },
  create: {
    route: 'POST /webhooks',
    call: (c) => c.create(createInput),
    success: answer.json(201, webhook),
  },
  test: {
    route: `POST /webhooks/${ID}/test`,
    call: (c) => c.test(ID),
    success: answer.empty(202),
  },
};

/** What the server does on every attempt, and the error the client must end with. */
const faults: Record<
  string,
  { fault: Fault; error: (e: unknown) => void; idempotentOnly: boolean }
> = {
  '429': {
    fault: answer.problem(429),
    error: (e) => expect(e).toMatchObject({ status: 429 }),
    idempotentOnly: false,
  },
  '503': {
    fault: answer.problem(503),
    error: (e) => expect(e).toMatchObject({ status: 503 }),
    idempotentOnly: false,
  },
  '502 HTML page': {
    fault: answer.html(502),
    error: (e) => expect(e).toMatchObject({ status: 502, problem: undefined }),
    idempotentOnly: true,
  },
  '504': {
    fault: answer.problem(504),
    error: (e) => expect(e).toMatchObject({ status: 504 }),
    idempotentOnly: true,
  },
  'a reset before the answer': {
    fault: answer.resetBeforeHeaders,
    error: (e) => {
      expect(e).toBeInstanceOf(UpvestNetworkError);
      expect(e).toMatchObject({ requestMayHaveReachedServer: true });
    },
    idempotentOnly: true,
  },
  'no answer within timeoutMs': {
    fault: answer.hang,
    error: (e) => {
      expect(e).toBeInstanceOf(UpvestTimeoutError);
      expect(e).toMatchObject({ requestMayHaveReachedServer: true });
    },
    idempotentOnly: true,
  },
};

const writesNotRepeated = new Set(['create', 'test']);

describe('retries per operation and fault', () => {
  const cases = Object.keys(operations).flatMap((operation) =>
    Object.keys(faults).map((fault) => {
      const repeated = !faults[fault]!.idempotentOnly || !writesNotRepeated.has(operation);
      return [operation, repeated ? 3 : 1, fault] as const;
    }),
  );

  it.each(cases)(
    'should send %s exactly %s time(s) when every attempt meets %s',
    async (operation, expected, fault) => {
      const { route, call } = operations[operation]!;
      const { server, client } = await setup(
        { [route]: [faults[fault]!.fault] },
        { timeoutMs: 200 },
      );
      const { error } = await settle(call(client));
      faults[fault]!.error(error);
      expect(server.count(route)).toBe(expected);
      expect(server.count()).toBe(expected);
    },
  );

  it.each(Object.keys(operations))(
    'should succeed on the third attempt of %s after two 503s',
    async (operation) => {
      const { route, call, success } = operations[operation]!;
      const { server, client } = await setup({
        [route]: [answer.problem(503), answer.problem(503), success],
      });
      await expect(call(client)).resolves.not.toBeInstanceOf(Error);
      expect(server.count(route)).toBe(3);
    },
  );

  it.each([
    ['a 400', 400],
    ['a 404', 404],
    ['a 409', 409],
    ['a 500', 500],
  ])('should never repeat %s', async (_name, status) => {
    const { server, client } = await setup({ 'GET /webhooks': [answer.problem(status)] });
    const { error } = await settle(client.list());
    expect(error).toBeInstanceOf(UpvestApiError);
    expect((error as UpvestApiError).status).toBe(status);
    expect(server.count()).toBe(1);
  });
});

describe('creating a webhook never creates two', () => {
  it('should retry a create through 429, 429 and succeed with 3 requests', async () => {
    const { server, client } = await setup({
      'POST /webhooks': [answer.problem(429), answer.problem(429), answer.json(201, webhook)],
    });
    await expect(client.create(createInput)).resolves.toEqual(webhook);
    expect(server.count('POST /webhooks')).toBe(3);
  });

  it('should send a create exactly once when it times out, and say the webhook may exist', async () => {
    const { server, client } = await setup(
      { 'POST /webhooks': [answer.slow(5000, answer.json(201, webhook))] },
      { timeoutMs: 200 },
    );
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect((error as UpvestTimeoutError).requestMayHaveReachedServer).toBe(true);
    expect((error as Error).message).toContain('may or may not have been created');
    expect((error as Error).message).toContain('list the webhooks');
    expect(server.count()).toBe(1);
  });

  it('should send a create exactly once when the connection dies mid-body', async () => {
    const { server, client } = await setup({
      'POST /webhooks': [answer.resetMidBody(201), answer.json(201, webhook)],
    });
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestNetworkError);
    expect((error as UpvestNetworkError).requestMayHaveReachedServer).toBe(true);
    expect((error as Error).message).toContain('may or may not have been created');
    expect(server.count()).toBe(1);
  });

  it('should retry a create whose connection was refused, which never reached a server', async () => {
    const gone = await startFaultServer();
    const { port } = new URL(gone.url);
    await gone.close();
    let revived: FaultServer | undefined;
    const client = createWebhooksClient({
      baseUrl: gone.url,
      clientId: CLIENT_ID,
      accessToken: 'dG9rZW4',
      retry: {
        // The server comes up during the backoff, on the port that refused.
        sleep: async () => {
          revived ??= await startFaultServer(
            { 'POST /webhooks': [answer.json(201, webhook)] },
            { port: Number(port) },
          );
          servers.push(revived);
        },
      },
    });
    await expect(client.create(createInput)).resolves.toEqual(webhook);
    expect(revived?.count()).toBe(1);
  });

  it('should not repeat a create after a 502, which may come after the webhook was stored', async () => {
    const { server, client } = await setup({
      'POST /webhooks': [answer.html(502), answer.json(201, webhook)],
    });
    await expect(client.create(createInput)).rejects.toMatchObject({ status: 502 });
    expect(server.count()).toBe(1);
  });
});

describe('idempotent writes', () => {
  it('should repeat an update whose connection was reset, and succeed', async () => {
    const { server, client } = await setup({
      [`PATCH /webhooks/${ID}`]: [answer.resetBeforeHeaders, answer.json(200, webhook)],
    });
    await expect(client.update(ID, { enabled: true })).resolves.toEqual(webhook);
    expect(server.count()).toBe(2);
    expect(server.received.map((r) => r.body)).toEqual(['{"enabled":true}', '{"enabled":true}']);
  });

  it('should say so when a repeated delete meets 404 after an attempt that may have deleted', async () => {
    const { server, client } = await setup({
      [`DELETE /webhooks/${ID}`]: [answer.problem(504), answer.problem(404)],
    });
    const { error } = await settle(client.delete(ID));
    expect(error).toBeInstanceOf(UpvestApiError);
    expect((error as UpvestApiError).status).toBe(404);
    expect((error as Error).message).toContain('an earlier attempt may already have deleted it');
    expect(server.count()).toBe(2);
  });

  it('should not add that note to a 404 after a 503, which deleted nothing', async () => {
    const { client } = await setup({
      [`DELETE /webhooks/${ID}`]: [answer.problem(503), answer.problem(404)],
    });
    const { error } = await settle(client.delete(ID));
    expect((error as Error).message).not.toContain('earlier attempt');
  });

  it('should retry a test delivery through 503 but not through a timeout', async () => {
    const retried = await setup({
      [`POST /webhooks/${ID}/test`]: [answer.problem(503), answer.empty(202)],
    });
    await retried.client.test(ID);
    expect(retried.server.count()).toBe(2);

    const once = await setup({ [`POST /webhooks/${ID}/test`]: [answer.hang] }, { timeoutMs: 200 });
    const { error } = await settle(once.client.test(ID));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect((error as Error).message).toContain('may or may not have taken effect');
    expect(once.server.count()).toBe(1);
  });
});

describe('backoff and Retry-After', () => {
  it('should wait what Retry-After says, in seconds', async () => {
    const { client, waits } = await setup({
      'GET /webhooks': [
        answer.problem(429, { 'retry-after': '2' }),
        answer.problem(503, { 'retry-after': '1' }),
        answer.json(200, page),
      ],
    });
    await client.list();
    expect(waits).toEqual([2000, 1000]);
  });

  it('should wait until the HTTP date Retry-After names', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    const { client, waits } = await setup({
      'GET /webhooks': [answer.problem(429, { 'retry-after': at }), answer.json(200, page)],
    });
    await client.list();
    expect(waits).toHaveLength(1);
    // The date has whole seconds: up to one second less than five, minus the round trip.
    expect(waits[0]).toBeGreaterThan(2000);
    expect(waits[0]).toBeLessThanOrEqual(5000);
  });

  it('should cap Retry-After at maxDelayMs', async () => {
    const { sleep, waits } = recordingSleep();
    const { client } = await setup(
      { 'GET /webhooks': [answer.problem(429, { 'retry-after': '3600' }), answer.json(200, page)] },
      { retry: { maxDelayMs: 4000, sleep } },
    );
    await client.list();
    expect(waits).toEqual([4000]);
  });

  it('should back off exponentially with full jitter without Retry-After', async () => {
    const { sleep, waits } = recordingSleep();
    const { client } = await setup(
      { 'GET /webhooks': [answer.problem(429)] },
      { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, random: () => 0.5, sleep } },
    );
    await expect(client.list()).rejects.toMatchObject({ status: 429 });
    // ceilings 100, 200, 400→250; half of each
    expect(waits).toEqual([50, 100, 125]);
  });

  it('should end the call after one request when Retry-After goes past the deadline', async () => {
    const { server, client, waits } = await setup(
      { 'GET /webhooks': [answer.problem(429, { 'retry-after': '5' }), answer.json(200, page)] },
      { deadlineMs: 1000 },
    );
    await expect(client.list()).rejects.toMatchObject({ status: 429 });
    expect(server.count()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('should send nothing more with retries turned off', async () => {
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.problem(503), answer.json(200, page)] },
      { retry: false },
    );
    await expect(client.list()).rejects.toMatchObject({ status: 503 });
    expect(server.count()).toBe(1);
  });
});

describe('time limits and aborts', () => {
  it('should repeat a read that timed out and succeed', async () => {
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.hang, answer.json(200, page)] },
      { timeoutMs: 200 },
    );
    await expect(client.list()).resolves.toEqual(page);
    expect(server.count()).toBe(2);
  });

  it('should cut the last attempt at the deadline and say it was the deadline', async () => {
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.slow(100, answer.problem(503)), answer.hang] },
      // The first answer needs 100 ms of a 1000 ms budget; the second never comes.
      { timeoutMs: 60_000, deadlineMs: 1000 },
    );
    const { error } = await settle(client.list());
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect((error as Error).message).toContain('deadline of 1000 ms');
    expect((error as UpvestTimeoutError).timeoutMs).toBeLessThan(1000);
    expect(server.count()).toBe(2);
  });

  it("should stop at once on the caller's signal, without retrying", async () => {
    const { server, client } = await setup({ 'GET /webhooks': [answer.hang] });
    const controller = new AbortController();
    const call = settle(client.list({}, { signal: controller.signal }));
    while (server.count() === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const { error } = await call;
    expect(error).toBeInstanceOf(UpvestAbortError);
    expect(server.count()).toBe(1);
  });

  it('should stop during a backoff when the signal aborts, without another attempt', async () => {
    const controller = new AbortController();
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.problem(503), answer.json(200, page)] },
      {
        retry: {
          // Aborts while waiting, then waits forever: only the abort can end the call.
          sleep: () => {
            controller.abort();
            return new Promise(() => undefined);
          },
        },
      },
    );
    const { error } = await settle(client.list({}, { signal: controller.signal }));
    expect(error).toBeInstanceOf(UpvestAbortError);
    expect(server.count()).toBe(1);
  });

  it('should send nothing with a signal that is already aborted', async () => {
    const { server, client } = await setup({ 'GET /webhooks': [answer.json(200, page)] });
    await expect(client.list({}, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      UpvestAbortError,
    );
    expect(server.count()).toBe(0);
  });
});

describe('broken answers', () => {
  it('should not retry malformed JSON in a 200, and keep its status and request id', async () => {
    const { server, client } = await setup({
      [`GET /webhooks/${ID}`]: [
        (r) => (
          r.writeHead(200, { 'content-type': 'application/json', 'upvest-request-id': 'req-1' }),
          r.end('{"id":')
        ),
      ],
    });
    const { error } = await settle(client.retrieve(ID));
    expect(error).toBeInstanceOf(UpvestResponseError);
    expect(error).toMatchObject({ status: 200, requestId: 'req-1' });
    expect((error as UpvestResponseError).issues[0]?.code).toBe('response.invalid_json');
    expect(server.count()).toBe(1);
  });

  it('should not retry a 200 whose body is text/plain and not JSON', async () => {
    const { server, client } = await setup({
      [`GET /webhooks/${ID}`]: [answer.raw(200, 'text/plain', 'OK')],
    });
    await expect(client.retrieve(ID)).rejects.toBeInstanceOf(UpvestResponseError);
    expect(server.count()).toBe(1);
  });

  it('should refuse a JSON body labelled text/html in strict mode', async () => {
    const { client } = await setup(
      { [`GET /webhooks/${ID}`]: [answer.raw(200, 'text/html', JSON.stringify(webhook))] },
      { responseValidation: 'strict' },
    );
    const { error } = await settle(client.retrieve(ID));
    expect(error).toBeInstanceOf(UpvestResponseError);
    expect((error as UpvestResponseError).issues.map((i) => i.code)).toEqual([
      'response.content_type',
    ]);
  });

  it('should report a wrong content type in warn mode and return the body', async () => {
    const reports: unknown[] = [];
    const { client } = await setup(
      { [`GET /webhooks/${ID}`]: [answer.raw(200, 'text/html', JSON.stringify(webhook))] },
      { onResponseIssues: (report) => reports.push(report) },
    );
    await expect(client.retrieve(ID)).resolves.toEqual(webhook);
    expect(reports).toMatchObject([{ issues: [{ code: 'response.content_type' }] }]);
  });

  it('should surface a redirect without following or retrying it (R3)', async () => {
    const { server, client } = await setup({
      'POST /webhooks': [answer.redirect(307, '/elsewhere')],
      'POST /elsewhere': [answer.json(201, webhook)],
    });
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestApiError);
    expect(error).toMatchObject({ status: 307 });
    expect((error as Error).message).toContain('/elsewhere');
    expect(server.count('POST /webhooks')).toBe(1);
    expect(server.count('POST /elsewhere')).toBe(0);
  });

  it('should read an empty 200 as a missing body', async () => {
    const { client } = await setup({
      [`GET /webhooks/${ID}`]: [answer.raw(200, 'application/json', '')],
    });
    const { error } = await settle(client.retrieve(ID));
    expect((error as UpvestResponseError).issues[0]?.code).toBe('response.missing_body');
  });
});

describe('signing every attempt', () => {
  it('should sign each attempt afresh, one signer call per request', async () => {
    let calls = 0;
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.problem(503), answer.problem(429), answer.json(200, page)] },
      {
        signer: () => {
          calls += 1;
          return { signature: `sig1=:${Buffer.from(String(calls)).toString('base64')}:` };
        },
      },
    );
    await client.list();
    expect(server.count()).toBe(3);
    expect(calls).toBe(3);
    expect(new Set(server.received.map((r) => r.headers['signature'])).size).toBe(3);
  });

  it('should throw UpvestSigningError and send nothing when the signer fails', async () => {
    const { server, client } = await setup(
      { 'POST /webhooks': [answer.json(201, webhook)] },
      {
        signer: () => {
          throw new Error('hardware key unplugged');
        },
      },
    );
    const { error } = await settle(client.create(createInput));
    expect(error).toBeInstanceOf(UpvestSigningError);
    expect(error).toMatchObject({ code: 'signing_failed', operation: 'create_webhook' });
    expect((error as Error).message).toContain('nothing was sent');
    expect(server.count()).toBe(0);
  });

  it('should treat a header value the signer returns that HTTP cannot carry as a signing failure', async () => {
    const { server, client } = await setup(
      { 'GET /webhooks': [answer.json(200, page)] },
      { signer: () => ({ signature: 'a\nb' }) },
    );
    await expect(client.list()).rejects.toBeInstanceOf(UpvestSigningError);
    expect(server.count()).toBe(0);
  });
});

describe('every error is typed', () => {
  it('should only ever throw UpvestWebhooksError subclasses from these faults', async () => {
    const { client } = await setup(
      {
        '*': [
          answer.resetMidBody(),
          answer.hang,
          answer.html(502),
          answer.raw(200, 'text/plain', 'x'),
        ],
      },
      { timeoutMs: 200, retry: false },
    );
    for (let i = 0; i < 4; i++) {
      const { error } = await settle(client.list());
      expect(error).toBeInstanceOf(UpvestWebhooksError);
    }
  });
});
