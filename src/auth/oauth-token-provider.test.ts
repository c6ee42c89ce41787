import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { UpvestApiError, UpvestAuthenticationError, UpvestConfigurationError } from '../errors.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import { startMockServer, type MockServer } from '../testing/mock-server.js';
import { json, startLoopbackServer } from '../test-support/loopback-server.js';
import { createOAuthTokenProvider } from './oauth-token-provider.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(async () => {
  await mock.close();
});

const signerFor = (server: MockServer) =>
  createUpvestSigner({
    keyId: server.credentials.keyId,
    privateKey: server.credentials.privateKey!,
  });

function provider(overrides: Partial<Parameters<typeof createOAuthTokenProvider>[0]> = {}) {
  return createOAuthTokenProvider({
    baseUrl: mock.url,
    clientId: mock.credentials.clientId,
    clientSecret: mock.credentials.clientSecret,
    signer: signerFor(mock),
    ...overrides,
  });
}

const tokenRequests = () => mock.requests.filter((r) => r.operationId === 'issue_token').length;

describe('createOAuthTokenProvider', () => {
  it('should fetch a signed token from the mock and let the client use it end to end', async () => {
    const before = tokenRequests();
    const client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      accessToken: provider(),
      signer: signerFor(mock),
    });
    const created = await client.create({ title: 'OAuth', url: 'https://tenant.tld/oauth' });
    await client.retrieve(created.id);
    await client.delete(created.id);
    // One admin token for the writes, one read token for the retrieve.
    expect(tokenRequests() - before).toBe(2);
  });

  it('should share one token request among ten concurrent callers', async () => {
    const before = tokenRequests();
    const tokens = provider();
    const all = await Promise.all(
      Array.from({ length: 10 }, () =>
        tokens.getToken({ operation: 'create_webhook', scopes: ['webhooks:admin'] }),
      ),
    );
    expect(new Set(all).size).toBe(1);
    expect(tokenRequests() - before).toBe(1);
  });

  it('should refresh shortly before expiry, not after', async () => {
    let clock = 0;
    const before = tokenRequests();
    const tokens = provider({ now: () => clock, refreshBeforeExpirySeconds: 30 });
    const context = {
      operation: 'list_webhooks' as const,
      scopes: ['webhooks:read', 'webhooks:admin'],
    };
    const first = await tokens.getToken(context);
    clock = (3600 - 31) * 1000;
    expect(await tokens.getToken(context)).toBe(first);
    clock = (3600 - 29) * 1000;
    expect(await tokens.getToken(context)).not.toBe(first);
    expect(tokenRequests() - before).toBe(2);
  });

  it('should refuse wrong credentials with a typed error that never contains the secret', async () => {
    const secret = 'very-secret-client-secret-value';
    const error = await provider({ clientSecret: secret })
      .getToken({ operation: 'list_webhooks', scopes: ['webhooks:read'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpvestAuthenticationError);
    expect((error as UpvestAuthenticationError).status).toBe(401);
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
  });

  it('should not cache a failed token request', async () => {
    let calls = 0;
    const server = await startLoopbackServer((_, response) => {
      calls += 1;
      if (calls === 1) json(response, 503, { type: 'x', status: 503 });
      else
        json(response, 200, {
          access_token: 'dG9rZW4',
          expires_in: 60,
          token_type: 'bearer',
          scope: 'webhooks:read',
        });
    });
    try {
      const tokens = createOAuthTokenProvider({
        baseUrl: server.url,
        clientId: 'c',
        clientSecret: 's',
      });
      const context = { operation: 'list_webhooks' as const, scopes: ['webhooks:read'] };
      // A 503 is not a verdict on the credentials: an API error the client may retry.
      await expect(tokens.getToken(context)).rejects.toMatchObject({
        status: 503,
        operation: 'issue_token',
      });
      await expect(tokens.getToken(context)).resolves.toBe('dG9rZW4');
    } finally {
      await server.close();
    }
  });

  it('should need a client id and secret', () => {
    expect(() =>
      createOAuthTokenProvider({ baseUrl: mock.url, clientId: '', clientSecret: '' }),
    ).toThrow(UpvestConfigurationError);
  });
});

describe('createWebhooksClient with credentials', () => {
  it('should fetch tokens and sign requests from clientSecret, keyId and privateKey alone', async () => {
    const before = tokenRequests();
    const client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
      keyId: mock.credentials.keyId,
      privateKey: mock.credentials.privateKey!,
    });
    const created = await client.create({ title: 'Credentials', url: 'https://tenant.tld/creds' });
    await client.delete(created.id);
    expect(tokenRequests() - before).toBe(1);
  });

  it.each([
    ['neither accessToken nor clientSecret', { clientId: 'c' }],
    ['a keyId without a privateKey', { clientId: 'c', accessToken: 'dG9rZW4', keyId: 'k' }],
  ])('should refuse %s at once', (_name, options) => {
    expect(() => createWebhooksClient({ baseUrl: mock.url, ...options })).toThrow(
      UpvestConfigurationError,
    );
  });
});

describe('401 handling in the client', () => {
  it('should invalidate the token and retry once, then succeed', async () => {
    let issued = 0;
    const seen: string[] = [];
    const server = await startLoopbackServer((request, response) => {
      seen.push(String(request.headers['authorization']));
      if (request.headers['authorization'] === 'Bearer dG9rZW4tMQ')
        json(response, 401, { type: 'unauthorised', status: 401 });
      else
        json(response, 200, {
          meta: { offset: 0, limit: 100, count: 0, total_count: 0 },
          data: [],
        });
    });
    try {
      const invalidated: string[] = [];
      const client = createWebhooksClient({
        baseUrl: server.url,
        clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
        accessToken: {
          getToken: () => `dG9rZW4tM${(issued += 1) === 1 ? 'Q' : 'g'}`,
          invalidate: (token) => void invalidated.push(token),
        },
      });
      await client.list();
      expect(seen).toEqual(['Bearer dG9rZW4tMQ', 'Bearer dG9rZW4tMg']);
      expect(invalidated).toEqual(['dG9rZW4tMQ']);
    } finally {
      await server.close();
    }
  });

  it('should throw the 401 when the fresh token is refused too', async () => {
    const server = await startLoopbackServer((_, response) =>
      json(response, 401, { type: 'unauthorised', status: 401 }),
    );
    try {
      const client = createWebhooksClient({
        baseUrl: server.url,
        clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
        accessToken: { getToken: () => 'dG9rZW4', invalidate: () => undefined },
      });
      await expect(client.list()).rejects.toMatchObject({ status: 401 });
      expect(server.received).toHaveLength(2);
      await expect(client.list()).rejects.toBeInstanceOf(UpvestApiError);
    } finally {
      await server.close();
    }
  });
});
