import { afterEach, describe, expect, it } from 'vitest';
import { UpvestValidationError } from '../errors.js';
import { answer, startFaultServer, type FaultServer } from '../test-support/fault-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import type { RetryOptions } from './retry-policy.js';
import { createWebhooksClient } from './webhooks-client.js';

// The client validates a copy of the body as the wire will carry it and sends that copy: the
// caller's object is read once, when the call starts. Without it, a body changed after the check
// (while the token is fetched, between two attempts) would go out unchecked.

const ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const CHECKED_URL = 'https://tenant.tld/webhooks/users';
const UNCHECKED_URL = 'http://10.0.0.1/hook';

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(
  script: Parameters<typeof startFaultServer>[0],
  sleep?: RetryOptions['sleep'],
) {
  const server = await startFaultServer(script);
  servers.push(server);
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    accessToken: 'dG9rZW4',
    retry: { sleep: sleep ?? (() => Promise.resolve()), random: () => 0.5 },
  });
  return { server, client };
}

const sentBodies = (server: FaultServer) =>
  server.received.map((request) => JSON.parse(request.body) as Record<string, unknown>);

describe('the client sends what it checked', () => {
  it('should send the checked body when the caller changes its object right after the call', async () => {
    const { server, client } = await setup({ 'POST /webhooks': [answer.json(201, seedResponse)] });
    const input = { title: 'User webhook', url: CHECKED_URL };

    const created = client.create(input);
    input.url = UNCHECKED_URL;
    await created;

    expect(sentBodies(server)).toEqual([{ title: 'User webhook', url: CHECKED_URL }]);
  });

  it('should send the same bytes on every attempt when the caller changes its object between them', async () => {
    const input = { title: 'User webhook', url: CHECKED_URL };
    const { server, client } = await setup(
      {
        'POST /webhooks': [
          answer.problem(429),
          answer.problem(429),
          answer.json(201, seedResponse),
        ],
      },
      () => {
        input.url = UNCHECKED_URL;
        return Promise.resolve();
      },
    );

    await client.create(input);

    expect(server.count('POST /webhooks')).toBe(3);
    const bodies = server.received.map((request) => request.body);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] ?? '')).toEqual({ title: 'User webhook', url: CHECKED_URL });
  });

  it('should read a getter once and send the value that was checked', async () => {
    const { server, client } = await setup({
      [`PATCH /webhooks/${ID}`]: [answer.problem(503), answer.json(200, seedResponse)],
    });
    let reads = 0;
    const patch = {
      get url() {
        reads += 1;
        return reads === 1 ? CHECKED_URL : UNCHECKED_URL;
      },
    };

    await client.update(ID, patch);

    expect(reads).toBe(1);
    expect(sentBodies(server)).toEqual([{ url: CHECKED_URL }, { url: CHECKED_URL }]);
  });

  it('should send the list query it checked when the caller changes it after the call', async () => {
    const { server, client } = await setup({
      'GET /webhooks': [
        answer.json(200, { meta: { offset: 0, limit: 5, count: 0, total_count: 0 }, data: [] }),
      ],
    });
    const query: { limit: number } = { limit: 5 };

    const listed = client.list(query);
    query.limit = 5000;
    await listed;

    expect(new URL(server.received[0]?.url ?? '', 'http://x').searchParams.get('limit')).toBe('5');
  });

  it.each([
    [
      'a cycle',
      () => {
        const body: Record<string, unknown> = { title: 'User webhook', url: CHECKED_URL };
        body['self'] = body;
        return body;
      },
    ],
    [
      'a BigInt',
      () => ({ title: 'User webhook', url: CHECKED_URL, config: { max_package_size: 10n } }),
    ],
    [
      'a getter that throws',
      () => ({
        title: 'User webhook',
        get url(): string {
          throw new Error('token=c2VjcmV0 must not be quoted');
        },
      }),
    ],
    [
      'a revoked proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({ title: 'User webhook', url: CHECKED_URL }, {});
        revoke();
        return proxy;
      },
    ],
  ])('should refuse a body with %s as body.not_json and send nothing', async (_name, body) => {
    const { server, client } = await setup({ 'POST /webhooks': [answer.json(201, seedResponse)] });

    const error: unknown = await client.create(body() as never).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpvestValidationError);
    expect((error as UpvestValidationError).issues.map((issue) => issue.code)).toEqual([
      'body.not_json',
    ]);
    expect((error as Error).message).not.toContain('c2VjcmV0');
    expect(server.count()).toBe(0);
  });
});
