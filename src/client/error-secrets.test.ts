import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import { UpvestWebhooksError } from '../errors.js';
import {
  answer,
  startFaultServer,
  type Fault,
  type FaultServer,
} from '../test-support/fault-server.js';
import { secretSpellings } from '../test-support/secret-spellings.js';
import type { WebhooksClientOptions } from './options.js';
import { createWebhooksClient } from './webhooks-client.js';

// Recognisable secrets: if any of them shows up in an error, in any spelling, this test names it.
// The token holds the characters a bearer token may and percent-encoding escapes (+ / = ~).
const TOKEN = 'dG9rZW4+dGhhdC1t/dXN0LW5ldmVy~LWxlYWs=';
const CLIENT_SECRET = 'client-secret/that must+never=leak';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const PRIVATE_PEM = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const KEY_LINE = PRIVATE_PEM.split('\n')[1] ?? '';
const SECRETS = [
  ...[TOKEN, CLIENT_SECRET].flatMap((secret) =>
    Object.values(secretSpellings).map((spell) => spell(secret)),
  ),
  KEY_LINE,
];

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const TOKEN_ROUTE = 'POST /auth/token';
// As servers and proxies echo: raw, percent-encoded (audit finding 4), in base64 and as JSON.
const echo = [
  `Authorization: Bearer ${TOKEN}`,
  `authorization=${encodeURIComponent(`Bearer ${TOKEN}`)}`,
  Buffer.from(`Bearer ${TOKEN}`).toString('base64'),
  `client_secret=${encodeURIComponent(CLIENT_SECRET)}`,
  JSON.stringify({ CLIENT_SECRET, TOKEN }),
  CLIENT_SECRET,
].join('; ');
/** What a token endpoint saw and might echo: the form, with the secret form-encoded and raw. */
const formEcho = `${new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).toString()} ${CLIENT_SECRET}`;

/** Every way an error turns into text, scanned for every secret. */
function expectNoSecret(value: unknown): void {
  const texts = [
    String(value),
    value instanceof Error ? value.message : '',
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
  ];
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: Record<string, readonly Fault[]>) {
  const server = await startFaultServer(script);
  servers.push(server);
  return server;
}

/** A client that fetches its tokens with the client secret; the token endpoint issues TOKEN. */
async function oauthClient(
  script: Record<string, readonly Fault[]>,
  options: Partial<WebhooksClientOptions> = {},
) {
  const server = await serve({ [TOKEN_ROUTE]: [answer.token(TOKEN)], ...script });
  return createWebhooksClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    retry: false,
    timeoutMs: 200,
    ...options,
  });
}

const fail = async (run: () => unknown): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('secrets in errors', () => {
  it.each<[string, string, () => Promise<unknown>]>([
    [
      'credentials refused, the answer echoing them',
      'UpvestAuthenticationError',
      async () => {
        const client = await oauthClient({ [TOKEN_ROUTE]: [answer.problem(401, {}, formEcho)] });
        return fail(() => client.list());
      },
    ],
    [
      'a token endpoint answering 503 with the form echoed',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({ [TOKEN_ROUTE]: [answer.problem(503, {}, formEcho)] });
        return fail(() => client.list());
      },
    ],
    [
      'a refresh answering 503 that echoes the token it replaces',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({
          [TOKEN_ROUTE]: [answer.token(TOKEN), answer.problem(503, {}, `old token ${TOKEN}`)],
          'GET /webhooks': [answer.problem(401)],
        });
        return fail(() => client.list());
      },
    ],
    [
      'a token endpoint redirecting with the secret in the location',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({
          [TOKEN_ROUTE]: [answer.redirect(302, `/login?secret=${CLIENT_SECRET}`)],
        });
        return fail(() => client.list());
      },
    ],
    [
      'a token endpoint answering something that is not a token',
      'UpvestResponseError',
      async () => {
        const client = await oauthClient({ [TOKEN_ROUTE]: [answer.json(200, { formEcho })] });
        return fail(() => client.list());
      },
    ],
    [
      'a token endpoint that never answers',
      'UpvestTimeoutError',
      async () => {
        const client = await oauthClient({ [TOKEN_ROUTE]: [answer.hang] });
        return fail(() => client.list());
      },
    ],
    [
      'a refused token request',
      'UpvestNetworkError',
      async () => {
        const gone = await startFaultServer();
        await gone.close();
        const tokens = createOAuthTokenProvider({
          baseUrl: gone.url,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
        });
        return fail(() => tokens.getToken({ operation: 'list_webhooks', scopes: [] }));
      },
    ],
    [
      'a signer failing on the token request',
      'UpvestSigningError',
      async () => {
        const client = await oauthClient(
          {},
          {
            signer: () => {
              throw new Error('signer down');
            },
          },
        );
        return fail(() => client.list());
      },
    ],
    [
      'a 401 to the fresh token too, the problem echoing the token',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({ 'GET /webhooks': [answer.problem(401, {}, echo)] });
        return fail(() => client.list());
      },
    ],
    [
      'a 404 whose problem echoes every secret',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({
          [`GET /webhooks/${ID}`]: [
            answer.json(
              404,
              { type: echo, status: 404, title: echo, detail: echo, instance: echo },
              { 'content-type': 'application/problem+json' },
            ),
          ],
        });
        return fail(() => client.retrieve(ID));
      },
    ],
    [
      'an API redirect to a URL carrying the token',
      'UpvestApiError',
      async () => {
        const client = await oauthClient({
          'GET /webhooks': [answer.redirect(307, `https://elsewhere.tld/?access_token=${TOKEN}`)],
        });
        return fail(() => client.list());
      },
    ],
    [
      'a connection reset mid-body',
      'UpvestNetworkError',
      async () => {
        const client = await oauthClient({ 'POST /webhooks': [answer.resetMidBody(201)] });
        return fail(() => client.create({ title: 't', url: 'https://tenant.tld/h' }));
      },
    ],
    [
      'a refused API connection with a fixed token',
      'UpvestNetworkError',
      async () => {
        const gone = await startFaultServer();
        await gone.close();
        const client = createWebhooksClient({
          baseUrl: gone.url,
          clientId: CLIENT_ID,
          accessToken: TOKEN,
          retry: false,
        });
        return fail(() => client.list());
      },
    ],
    [
      'an API call that times out',
      'UpvestTimeoutError',
      async () => {
        const client = await oauthClient({ 'GET /webhooks': [answer.hang] });
        return fail(() => client.list());
      },
    ],
    [
      'a call aborted by the caller',
      'UpvestAbortError',
      async () => {
        const client = await oauthClient({ 'GET /webhooks': [answer.hang] });
        return fail(() => client.list({}, { signal: AbortSignal.timeout(50) }));
      },
    ],
    [
      'a success body that is not JSON but echoes the token',
      'UpvestResponseError',
      async () => {
        const client = await oauthClient({
          'GET /webhooks': [answer.raw(200, 'application/json', `{"broken": "${echo}`)],
        });
        return fail(() => client.list());
      },
    ],
    [
      'a strict schema failure on a property named after the token',
      'UpvestResponseError',
      async () => {
        const client = await oauthClient(
          {
            'GET /webhooks': [
              answer.json(200, { meta: {}, data: [], [TOKEN]: echo, [CLIENT_SECRET]: 1 }),
            ],
          },
          { responseValidation: 'strict' },
        );
        return fail(() => client.list());
      },
    ],
    [
      'a token a header cannot carry',
      'UpvestConfigurationError',
      async () => {
        const client = createWebhooksClient({
          baseUrl: 'https://sandbox.upvest.co',
          clientId: CLIENT_ID,
          accessToken: `${TOKEN}\n`,
        });
        return fail(() => client.list());
      },
    ],
    [
      'a base URL with a password',
      'UpvestConfigurationError',
      () =>
        fail(() =>
          createWebhooksClient({
            baseUrl: `https://tenant:${encodeURIComponent(CLIENT_SECRET)}@sandbox.upvest.co`,
            clientId: CLIENT_ID,
            accessToken: TOKEN,
          }),
        ),
    ],
    [
      'an unreadable private key',
      'UpvestConfigurationError',
      () =>
        fail(() =>
          createWebhooksClient({
            baseUrl: 'https://sandbox.upvest.co',
            clientId: CLIENT_ID,
            accessToken: TOKEN,
            keyId: 'key-1',
            privateKey: PRIVATE_PEM.replace('MI', 'XX'),
          }),
        ),
    ],
  ])('should keep every secret out of the error for %s (%s)', async (_name, className, trigger) => {
    const error = await trigger();
    expect(error).toBeInstanceOf(UpvestWebhooksError);
    expect((error as Error).name).toBe(className);
    expectNoSecret(error);
  });

  it('should keep every secret out of a warn-mode report', async () => {
    const reports: unknown[] = [];
    const client = await oauthClient(
      { 'GET /webhooks': [answer.json(200, { meta: {}, data: [], [TOKEN]: echo })] },
      { onResponseIssues: (report) => reports.push(report) },
    );
    await client.list();
    expect(reports).toHaveLength(1);
    expectNoSecret(reports[0]);
  });
});
