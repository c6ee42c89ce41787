import { afterEach, describe, expect, it } from 'vitest';
import {
  UpvestApiError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestValidationError,
} from '../errors.js';
import {
  json,
  startLoopbackServer,
  type LoopbackHandler,
} from '../test-support/loopback-server.js';
import { seedRequest, seedResponse } from '../test-support/fixtures.js';
import type { WebhooksClientOptions } from './options.js';
import { createWebhooksClient } from './webhooks-client.js';

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const WEBHOOK_ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function setup(handler: LoopbackHandler, options: Partial<WebhooksClientOptions> = {}) {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    accessToken: 'c2VjcmV0Cg==',
    ...options,
  });
  return { server, client };
}

describe('createWebhooksClient', () => {
  describe('requests', () => {
    it('should send the seed registration as JSON with the Upvest headers', async () => {
      const { server, client } = await setup((_, res) => json(res, 201, seedResponse));

      const created = await client.create(seedRequest);

      expect(created).toEqual(seedResponse);
      const [request] = server.received;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/webhooks');
      expect(JSON.parse(request?.body ?? '')).toEqual(seedRequest);
      expect(request?.headers).toMatchObject({
        'upvest-client-id': CLIENT_ID,
        'upvest-api-version': '1',
        accept: 'application/json, application/problem+json',
        authorization: 'Bearer c2VjcmV0Cg==',
        'content-type': 'application/json',
      });
    });

    it('should put sort, order, offset and limit into the query string', async () => {
      const { server, client } = await setup((_, res) =>
        json(res, 200, { meta: { offset: 5, limit: 10, count: 0, total_count: 5 }, data: [] }),
      );

      await client.list({ sort: 'title', order: 'DESC', offset: 5, limit: 10 });

      const url = new URL(server.received[0]?.url ?? '', 'http://x');
      expect(url.pathname).toBe('/webhooks');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        sort: 'title',
        order: 'DESC',
        offset: '5',
        limit: '10',
      });
    });

    it.each([
      ['retrieve', 'GET', `/webhooks/${WEBHOOK_ID}`, undefined],
      ['enable', 'PATCH', `/webhooks/${WEBHOOK_ID}`, { enabled: true }],
      ['disable', 'PATCH', `/webhooks/${WEBHOOK_ID}`, { enabled: false }],
    ] as const)(
      'should send %s as %s %s with the expected body',
      async (method, httpMethod, path, body) => {
        const { server, client } = await setup((_, res) => json(res, 200, seedResponse));

        await client[method](WEBHOOK_ID);

        const [request] = server.received;
        expect(request?.method).toBe(httpMethod);
        expect(request?.url).toBe(path);
        expect(request?.body ? JSON.parse(request.body) : undefined).toEqual(body);
      },
    );

    it('should resolve delete on 204 and test on 202 without reading a body', async () => {
      const { server, client } = await setup((req, res) => {
        res.writeHead(req.method === 'DELETE' ? 204 : 202, {
          'upvest-request-id': '169ae4c7-ebd7-4041-94da-25369653eba7',
        });
        res.end();
      });

      await expect(client.delete(WEBHOOK_ID)).resolves.toBeUndefined();
      await expect(client.test(WEBHOOK_ID)).resolves.toBeUndefined();
      expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
        `DELETE /webhooks/${WEBHOOK_ID}`,
        `POST /webhooks/${WEBHOOK_ID}/test`,
      ]);
    });

    it('should ask the token provider for the scopes of each operation', async () => {
      const asked: string[] = [];
      const { client } = await setup(
        (req, res) =>
          req.method === 'GET'
            ? json(res, 200, {
                meta: { offset: 0, limit: 100, count: 0, total_count: 0 },
                data: [],
              })
            : json(res, 201, seedResponse),
        {
          accessToken: ({ operation, scopes }) => {
            asked.push(`${operation}:${scopes.join('|')}`);
            return 'dG9rZW4=';
          },
        },
      );

      await client.list();
      await client.create(seedRequest);

      expect(asked).toEqual([
        'list_webhooks:webhooks:read|webhooks:admin',
        'create_webhook:webhooks:admin',
      ]);
    });

    it('should walk every page with listAll until total_count is reached', async () => {
      const all = Array.from({ length: 5 }, (_, i) => ({
        ...seedResponse,
        id: `a8eb3540-5a84-40f9-b2bb-7f99f282fc5${i}`,
      }));
      const { server, client } = await setup((req, res) => {
        const url = new URL(req.url, 'http://x');
        const offset = Number(url.searchParams.get('offset'));
        const limit = Number(url.searchParams.get('limit'));
        const data = all.slice(offset, offset + limit);
        json(res, 200, {
          meta: { offset, limit, count: data.length, total_count: all.length },
          data,
        });
      });

      const seen: string[] = [];
      for await (const webhook of client.listAll({ limit: 2 })) seen.push(webhook.id);

      expect(seen).toEqual(all.map((w) => w.id));
      expect(server.received).toHaveLength(3);
    });
  });

  describe('invalid input', () => {
    it.each([
      ['an http URL (R1)', () => ({ ...seedRequest, url: 'http://tenant.tld/hook' })],
      ['enabled on create (R8)', () => ({ ...seedRequest, enabled: true })],
      ['a missing url', () => ({ title: 'x' })],
      ['an unknown category', () => ({ ...seedRequest, type: ['USERS'] })],
      ['a delay of 31s (R5)', () => ({ ...seedRequest, config: { delay: '31s' } })],
    ])('should throw a validation error and send nothing for %s', async (_name, build) => {
      const { server, client } = await setup((_, res) => json(res, 201, seedResponse));

      const error = await client.create(build() as never).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestValidationError);
      expect((error as UpvestValidationError).issues.length).toBeGreaterThan(0);
      expect(server.received).toHaveLength(0);
    });

    it.each([
      ['retrieve', (c: ReturnType<typeof createWebhooksClient>) => c.retrieve('../auth/token')],
      ['update', (c: ReturnType<typeof createWebhooksClient>) => c.update('x', { enabled: true })],
      ['delete', (c: ReturnType<typeof createWebhooksClient>) => c.delete('')],
      ['test', (c: ReturnType<typeof createWebhooksClient>) => c.test('not-a-uuid')],
      ['list', (c: ReturnType<typeof createWebhooksClient>) => c.list({ limit: 1001 })],
    ])('should refuse a malformed %s call before sending', async (_name, call) => {
      const { server, client } = await setup((_, res) => json(res, 200, seedResponse));

      await expect(call(client)).rejects.toBeInstanceOf(UpvestValidationError);
      expect(server.received).toHaveLength(0);
    });

    it('should refuse a token that cannot go into a header, without echoing it', async () => {
      const { server, client } = await setup((_, res) => json(res, 200, seedResponse), {
        accessToken: 'secret value\nwith newline',
      });

      const error = await client.retrieve(WEBHOOK_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestConfigurationError);
      expect(String((error as Error).message)).not.toContain('secret value');
      expect(server.received).toHaveLength(0);
    });

    it('should refuse a base URL that is not a URL', () => {
      expect(() =>
        createWebhooksClient({ baseUrl: 'sandbox', clientId: CLIENT_ID, accessToken: 'x' }),
      ).toThrow(UpvestConfigurationError);
    });

    it.each([
      ['a base URL with a user name', { baseUrl: 'https://me@sandbox.upvest.co' }],
      ['a client id with a line break', { clientId: 'id\r\nx-injected: 1' }],
      ['an empty client id', { clientId: '' }],
      ['a timeout of 0', { timeoutMs: 0 }],
      ['a deadline that is not a number', { deadlineMs: Number.NaN }],
      ['maxAttempts of 0', { retry: { maxAttempts: 0 } }],
      ['a private key that cannot be read', { keyId: 'k', privateKey: 'not a key' }],
    ] as const)('should refuse %s when the client is created', (_name, overrides) => {
      expect(() =>
        createWebhooksClient({
          baseUrl: 'https://sandbox.upvest.co',
          clientId: CLIENT_ID,
          accessToken: 'x',
          ...overrides,
        }),
      ).toThrow(UpvestConfigurationError);
    });
  });

  describe('errors', () => {
    it('should map a problem+json 404 to an UpvestApiError with status, problem and request id', async () => {
      const { client } = await setup((_, res) => {
        res.writeHead(404, {
          'content-type': 'application/problem+json',
          'upvest-request-id': '169ae4c7-ebd7-4041-94da-25369653eba7',
        });
        res.end(JSON.stringify({ type: 'not_found', status: 404 }));
      });

      const error = await client.retrieve(WEBHOOK_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestApiError);
      expect(error).toMatchObject({
        status: 404,
        problem: { type: 'not_found', status: 404 },
        requestId: '169ae4c7-ebd7-4041-94da-25369653eba7',
        operation: 'retrieve_webhook',
      });
    });

    it('should keep the status of an HTML error page and leave the problem empty', async () => {
      const { client } = await setup((_, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
      });

      const error = await client.retrieve(WEBHOOK_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestApiError);
      expect(error).toMatchObject({ status: 502, problem: undefined, requestId: undefined });
    });

    it('should not follow a redirect (R3)', async () => {
      const { server, client } = await setup((req, res) => {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      });

      const error = await client.retrieve(WEBHOOK_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestApiError);
      expect((error as UpvestApiError).status).toBe(302);
      expect((error as Error).message).toContain('/elsewhere');
      expect(server.received).toHaveLength(1);
    });

    it('should report a success body that is not JSON as an invalid response', async () => {
      const { client } = await setup((_, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": ');
      });

      await expect(client.retrieve(WEBHOOK_ID)).rejects.toBeInstanceOf(UpvestResponseError);
    });

    it('should say that a refused connection never reached the server', async () => {
      const { server, client } = await setup((_, res) => json(res, 200, seedResponse));
      await server.close();

      const error = await client.create(seedRequest).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestNetworkError);
      expect((error as UpvestNetworkError).requestMayHaveReachedServer).toBe(false);
    });
  });

  describe('response validation', () => {
    const broken = { ...seedResponse, enabled: 'no', extra: 1 };

    it('should throw in strict mode when the body breaks the schema', async () => {
      const { client } = await setup((_, res) => json(res, 200, broken), {
        responseValidation: 'strict',
      });

      const error = await client.retrieve(WEBHOOK_ID).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UpvestResponseError);
      expect((error as UpvestResponseError).issues.map((i) => i.path)).toEqual(['/enabled']);
    });

    it.each(['strict', 'warn'] as const)(
      'should take a body with a property Upvest added since our spec in %s mode, silently',
      async (mode) => {
        const reports: unknown[] = [];
        const added = { ...seedResponse, added_later: { nested: true } };
        const { client } = await setup((_, res) => json(res, 200, added), {
          responseValidation: mode,
          onResponseIssues: (report) => reports.push(report),
        });

        await expect(client.retrieve(WEBHOOK_ID)).resolves.toEqual(added);
        expect(reports).toHaveLength(0);
      },
    );

    it('should report and return the body in warn mode', async () => {
      const reports: unknown[] = [];
      const { client } = await setup((_, res) => json(res, 200, broken), {
        responseValidation: 'warn',
        onResponseIssues: (report) => reports.push(report),
      });

      await expect(client.retrieve(WEBHOOK_ID)).resolves.toEqual(broken);
      expect(reports).toHaveLength(1);
    });

    it('should return the body unchecked when validation is off', async () => {
      const reports: unknown[] = [];
      const { client } = await setup((_, res) => json(res, 200, broken), {
        responseValidation: 'off',
        onResponseIssues: (report) => reports.push(report),
      });

      await expect(client.retrieve(WEBHOOK_ID)).resolves.toEqual(broken);
      expect(reports).toHaveLength(0);
    });
  });

  describe('signing seam', () => {
    it('should hand the signer the exact bytes that are sent and send the headers it returns', async () => {
      const seen: string[] = [];
      const { server, client } = await setup((_, res) => json(res, 201, seedResponse), {
        signer: (request) => {
          seen.push(new TextDecoder().decode(request.body));
          return { signature: 'sig1=:AAAA:', 'signature-input': 'sig1=("@method")' };
        },
      });

      await client.create(seedRequest);

      expect(seen).toEqual([server.received[0]?.body]);
      expect(server.received[0]?.headers['signature']).toBe('sig1=:AAAA:');
    });
  });
});
