import { afterEach, describe, expect, it } from 'vitest';
import { type OutgoingRequest, type RequestSigner } from '../wire/signer.js';
import { createWebhooksClient } from '../client/webhooks-client.js';
import {
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestSigningError,
  UpvestTimeoutError,
} from '../errors.js';
import {
  answer,
  startFaultServer,
  type Fault,
  type FaultServer,
} from '../test-support/fault-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import {
  createOAuthTokenProvider,
  type OAuthTokenProviderOptions,
} from './oauth-token-provider.js';

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const SECRET = 'c2VjcmV0LXRoYXQtaXMtbm90LWxvZ2dlZA';
const TOKEN_ROUTE = 'POST /auth/token';
const page = { meta: { offset: 0, limit: 100, count: 0, total_count: 0 }, data: [] };
const read = { operation: 'list_webhooks', scopes: ['webhooks:read', 'webhooks:admin'] } as const;
const write = { operation: 'create_webhook', scopes: ['webhooks:admin'] } as const;

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A stand-in for the v15 signer: it records what it saw and adds recognisable headers. */
function fakeSigner() {
  const seen: OutgoingRequest[] = [];
  const signer: RequestSigner = (request) => {
    seen.push(request);
    return {
      'signature-input': `sig1=("@method" "@path");keyid="test";nonce="n${seen.length}"`,
      signature: `sig1=:${Buffer.from(`signature ${seen.length}`).toString('base64')}:`,
    };
  };
  return { signer, seen };
}

async function setup(
  script: Record<string, readonly Fault[]>,
  options: Partial<OAuthTokenProviderOptions> = {},
) {
  const server = await startFaultServer(script);
  servers.push(server);
  const tokens = createOAuthTokenProvider({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    ...options,
  });
  return { server, tokens };
}

const settle = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the token request', () => {
  it('should POST the signed client-credentials form with the Upvest headers and no authorization', async () => {
    const { signer, seen } = fakeSigner();
    const { server, tokens } = await setup(
      { [TOKEN_ROUTE]: [answer.token('dG9rZW4')] },
      { signer },
    );

    await expect(tokens.getToken(read)).resolves.toBe('dG9rZW4');

    const [request] = server.received;
    expect(request?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      'upvest-client-id': CLIENT_ID,
      'upvest-api-version': '1',
      accept: 'application/json, application/problem+json',
      'signature-input': 'sig1=("@method" "@path");keyid="test";nonce="n1"',
      signature: `sig1=:${Buffer.from('signature 1').toString('base64')}:`,
    });
    expect(request?.headers['authorization']).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'client_credentials',
      scope: 'webhooks:read',
    });
    // The signature covers the exact bytes that went out.
    expect(seen).toHaveLength(1);
    expect(new TextDecoder().decode(seen[0]?.body)).toBe(request?.body);
    expect(seen[0]?.url).toBe(`${server.url}/auth/token`);
  });

  it.each([
    ['list', read, 'webhooks:read'],
    ['create', write, 'webhooks:admin'],
    [
      'verify keys',
      { operation: 'get_jwks', scopes: ['webhooks:read', 'webhooks:admin'] },
      'webhooks:read',
    ],
    ['delete', { operation: 'delete_webhook', scopes: ['webhooks:admin'] }, 'webhooks:admin'],
  ] as const)('should ask for the scope of a %s', async (_name, context, scope) => {
    const { server, tokens } = await setup({ [TOKEN_ROUTE]: [answer.token('dG9rZW4')] });
    await tokens.getToken(context);
    expect(new URLSearchParams(server.received[0]?.body).get('scope')).toBe(scope);
  });

  it('should ask for configured scope names, chosen by the operation', async () => {
    const { server, tokens } = await setup(
      { [TOKEN_ROUTE]: [answer.token('dG9rZW4')] },
      { scopes: { read: 'tenant:read', write: 'tenant:write' } },
    );
    await tokens.getToken(read);
    await tokens.getToken(write);
    expect(server.received.map((r) => new URLSearchParams(r.body).get('scope'))).toEqual([
      'tenant:read',
      'tenant:write',
    ]);
  });
});

describe('token caching', () => {
  it('should reuse a token per scope until shortly before it expires', async () => {
    let clock = 1_000_000;
    const { server, tokens } = await setup(
      { [TOKEN_ROUTE]: [answer.token('dG9rZW4tMQ', 1799), answer.token('dG9rZW4tMg', 1799)] },
      { now: () => clock, refreshBeforeExpirySeconds: 5 },
    );
    expect(await tokens.getToken(read)).toBe('dG9rZW4tMQ');
    clock += (1799 - 6) * 1000;
    expect(await tokens.getToken(read)).toBe('dG9rZW4tMQ');
    clock += 2000;
    expect(await tokens.getToken(read)).toBe('dG9rZW4tMg');
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });

  it('should keep a read token and a write token apart', async () => {
    const { server, tokens } = await setup({
      [TOKEN_ROUTE]: [answer.token('cmVhZA'), answer.token('d3JpdGU')],
    });
    expect(await tokens.getToken(read)).toBe('cmVhZA');
    expect(await tokens.getToken(write)).toBe('d3JpdGU');
    expect(await tokens.getToken(read)).toBe('cmVhZA');
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });

  it('should still cache a token that lives shorter than the refresh margin', async () => {
    let clock = 0;
    const { server, tokens } = await setup(
      { [TOKEN_ROUTE]: [answer.token('dG9rZW4', 20)] },
      { now: () => clock, refreshBeforeExpirySeconds: 30 },
    );
    await tokens.getToken(read);
    clock = 9000;
    await tokens.getToken(read);
    expect(server.count(TOKEN_ROUTE)).toBe(1);
    clock = 10_000;
    await tokens.getToken(read);
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });

  it('should drop only the token it is told to invalidate', async () => {
    const { server, tokens } = await setup({
      [TOKEN_ROUTE]: [answer.token('dG9rZW4tMQ'), answer.token('dG9rZW4tMg')],
    });
    const first = await tokens.getToken(read);
    tokens.invalidate(first);
    const second = await tokens.getToken(read);
    tokens.invalidate(first); // a late 401 for the old token must not drop the new one
    expect(await tokens.getToken(read)).toBe(second);
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });
});

describe('one token request in flight', () => {
  it('should answer ten concurrent API calls with one token request', async () => {
    const { signer, seen } = fakeSigner();
    const server = await startFaultServer({
      [TOKEN_ROUTE]: [answer.slow(50, answer.token('dG9rZW4'))],
      'GET /webhooks': [answer.json(200, page)],
    });
    servers.push(server);
    const client = createWebhooksClient({
      baseUrl: server.url,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      signer,
    });
    await Promise.all(Array.from({ length: 10 }, () => client.list()));
    expect(server.count(TOKEN_ROUTE)).toBe(1);
    expect(server.count('GET /webhooks')).toBe(10);
    expect(seen).toHaveLength(11);
    expect(
      server.received.filter((r) => r.url === '/webhooks').map((r) => r.headers['authorization']),
    ).toEqual(Array(10).fill('Bearer dG9rZW4'));
  });

  it('should reject every waiter when the shared request fails, and not cache the failure', async () => {
    const { server, tokens } = await setup({
      [TOKEN_ROUTE]: [answer.slow(50, answer.problem(401)), answer.token('dG9rZW4')],
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => settle(tokens.getToken(read))),
    );
    expect(results.every((e) => e instanceof UpvestAuthenticationError)).toBe(true);
    expect(server.count(TOKEN_ROUTE)).toBe(1);
    await expect(tokens.getToken(read)).resolves.toBe('dG9rZW4');
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });
});

describe('token errors', () => {
  it.each([
    ['400', 400],
    ['401', 401],
    ['403', 403],
  ])('should turn %s into UpvestAuthenticationError without the secret', async (_name, status) => {
    const { tokens } = await setup({
      [TOKEN_ROUTE]: [answer.problem(status, {}, `bad ${SECRET}`)],
    });
    const error = await settle(tokens.getToken(write));
    expect(error).toBeInstanceOf(UpvestAuthenticationError);
    expect(error).toMatchObject({ status, code: 'authentication_failed' });
    expect(JSON.stringify(error) + String(error)).not.toContain(SECRET);
  });

  it('should turn a 503 into an API error of issue_token with the echoed secret redacted', async () => {
    const { tokens } = await setup({
      [TOKEN_ROUTE]: [answer.problem(503, {}, `overloaded for client_secret=${SECRET}`)],
    });
    const error = await settle(tokens.getToken(read));
    expect(error).toBeInstanceOf(UpvestApiError);
    expect(error).toMatchObject({ status: 503, operation: 'issue_token' });
    expect((error as UpvestApiError).problem?.detail).toBe(
      'overloaded for client_secret=[redacted]',
    );
  });

  it('should not follow a redirect of the token request', async () => {
    const { server, tokens } = await setup({
      [TOKEN_ROUTE]: [answer.redirect(302, '/steal')],
      'POST /steal': [answer.token('dG9rZW4')],
    });
    const error = await settle(tokens.getToken(read));
    expect(error).toMatchObject({ status: 302 });
    expect((error as Error).message).toContain('redirects are not followed');
    expect(server.count('POST /steal')).toBe(0);
  });

  it.each([
    ['a body that is not JSON', answer.raw(200, 'text/html', '<html>login</html>')],
    [
      'a token_type other than bearer',
      answer.json(200, { access_token: 'dG9rZW4', expires_in: 60, token_type: 'mac', scope: 's' }),
    ],
    ['a token a header cannot carry', answer.token('not a token')],
  ])('should refuse %s as a server fault, not a credentials fault', async (_name, fault) => {
    const { tokens } = await setup({ [TOKEN_ROUTE]: [fault] });
    const error = await settle(tokens.getToken(read));
    expect(error).toBeInstanceOf(UpvestResponseError);
    expect(error).not.toBeInstanceOf(UpvestAuthenticationError);
    expect(error).toMatchObject({ operation: 'issue_token', status: 200 });
  });

  it.each(['bearer', 'Bearer', 'BEARER'])(
    'should take a token whose token_type is %s (case-insensitive, RFC 6749)',
    async (tokenType) => {
      const { tokens } = await setup({
        [TOKEN_ROUTE]: [
          answer.json(200, {
            access_token: 'dG9rZW4',
            expires_in: 60,
            token_type: tokenType,
            scope: 's',
          }),
        ],
      });
      await expect(tokens.getToken(read)).resolves.toBe('dG9rZW4');
    },
  );

  it('should give up on a token endpoint that never answers', async () => {
    const { tokens } = await setup({ [TOKEN_ROUTE]: [answer.hang] }, { timeoutMs: 200 });
    const error = await settle(tokens.getToken(read));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect(error).toMatchObject({ operation: 'issue_token' });
  });

  it('should say a refused token request never reached a server', async () => {
    const gone = await startFaultServer();
    await gone.close();
    const tokens = createOAuthTokenProvider({
      baseUrl: gone.url,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
    });
    const error = await settle(tokens.getToken(read));
    expect(error).toBeInstanceOf(UpvestNetworkError);
    expect(error).toMatchObject({ operation: 'issue_token', requestMayHaveReachedServer: false });
  });

  it('should send nothing and throw UpvestSigningError when the signer fails', async () => {
    const { server, tokens } = await setup(
      { [TOKEN_ROUTE]: [answer.token('dG9rZW4')] },
      {
        signer: () => {
          throw new Error('no key');
        },
      },
    );
    const error = await settle(tokens.getToken(read));
    expect(error).toBeInstanceOf(UpvestSigningError);
    expect(error).toMatchObject({ operation: 'issue_token' });
    expect(server.count()).toBe(0);
  });
});

describe('the client with the token provider', () => {
  async function client(script: Record<string, readonly Fault[]>) {
    const { signer, seen } = fakeSigner();
    const server = await startFaultServer(script);
    servers.push(server);
    const webhooks = createWebhooksClient({
      baseUrl: server.url,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      signer,
      retry: { sleep: () => Promise.resolve() },
    });
    return { server, webhooks, seen };
  }

  it('should invalidate the token on a 401, fetch a new one and repeat the call once', async () => {
    const { server, webhooks, seen } = await client({
      [TOKEN_ROUTE]: [answer.token('dG9rZW4tMQ'), answer.token('dG9rZW4tMg')],
      'GET /webhooks': [answer.problem(401), answer.json(200, page)],
    });
    await expect(webhooks.list()).resolves.toEqual(page);
    expect(server.count(TOKEN_ROUTE)).toBe(2);
    expect(server.count('GET /webhooks')).toBe(2);
    expect(
      server.received.filter((r) => r.url === '/webhooks').map((r) => r.headers['authorization']),
    ).toEqual(['Bearer dG9rZW4tMQ', 'Bearer dG9rZW4tMg']);
    // Both token requests and both API requests were signed, each afresh.
    expect(seen).toHaveLength(4);
  });

  it('should throw the second 401 as an API error after exactly one refresh', async () => {
    const { server, webhooks } = await client({
      [TOKEN_ROUTE]: [answer.token('dG9rZW4tMQ'), answer.token('dG9rZW4tMg')],
      'POST /webhooks': [answer.problem(401)],
    });
    const error = await settle(webhooks.create({ title: 't', url: 'https://tenant.tld/h' }));
    expect(error).toBeInstanceOf(UpvestApiError);
    expect(error).toMatchObject({ status: 401, operation: 'create_webhook' });
    expect(server.count('POST /webhooks')).toBe(2);
    expect(server.count(TOKEN_ROUTE)).toBe(2);
  });

  it('should not call the API at all when the credentials are refused', async () => {
    const { server, webhooks } = await client({
      [TOKEN_ROUTE]: [answer.problem(401)],
      'POST /webhooks': [answer.json(201, seedResponse)],
    });
    const error = await settle(webhooks.create({ title: 't', url: 'https://tenant.tld/h' }));
    expect(error).toBeInstanceOf(UpvestAuthenticationError);
    expect(String(error)).not.toContain(SECRET);
    expect(server.count(TOKEN_ROUTE)).toBe(1);
    expect(server.count('POST /webhooks')).toBe(0);
  });

  it('should retry a token request that met 503 and then create exactly once', async () => {
    const { server, webhooks } = await client({
      [TOKEN_ROUTE]: [answer.problem(503), answer.token('dG9rZW4')],
      'POST /webhooks': [answer.json(201, seedResponse)],
    });
    await expect(webhooks.create({ title: 't', url: 'https://tenant.tld/h' })).resolves.toEqual(
      seedResponse,
    );
    expect(server.count(TOKEN_ROUTE)).toBe(2);
    expect(server.count('POST /webhooks')).toBe(1);
  });

  it('should abort a call that waits for a token, and send nothing', async () => {
    const { server, webhooks } = await client({
      [TOKEN_ROUTE]: [answer.hang],
      'GET /webhooks': [answer.json(200, page)],
    });
    const controller = new AbortController();
    const call = settle(webhooks.list({}, { signal: controller.signal }));
    while (server.count(TOKEN_ROUTE) === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await call).toMatchObject({ code: 'aborted' });
    expect(server.count('GET /webhooks')).toBe(0);
  });

  it('should count a create that timed out waiting for its token as never sent', async () => {
    const server = await startFaultServer({
      [TOKEN_ROUTE]: [answer.hang],
      'POST /webhooks': [answer.json(201, seedResponse)],
    });
    servers.push(server);
    const webhooks = createWebhooksClient({
      baseUrl: server.url,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      timeoutMs: 200,
      retry: false,
    });
    const error = await settle(webhooks.create({ title: 't', url: 'https://tenant.tld/h' }));
    expect(error).toBeInstanceOf(UpvestTimeoutError);
    expect(error).toMatchObject({ requestMayHaveReachedServer: false });
    expect((error as Error).message).toContain('no access token came');
    expect(server.count('POST /webhooks')).toBe(0);
  });
});
