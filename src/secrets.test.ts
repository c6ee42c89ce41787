import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createOAuthTokenProvider } from './auth/oauth-token-provider.js';
import { createWebhooksClient } from './client/webhooks-client.js';
import { UpvestWebhooksError } from './errors.js';
import { signRequest } from './signing/sign.js';
import { createUpvestSigner } from './signing/upvest-profile.js';
import { startMockServer } from './testing/mock-server.js';
import { startLoopbackServer } from './test-support/loopback-server.js';

const TOKEN = 'dG9rZW4tdGhhdC1tdXN0LW5vdC1sZWFr';
const CLIENT_SECRET = 'client-secret-that-must-not-leak';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const PRIVATE_PEM = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const KEY_BODY = PRIVATE_PEM.split('\n')[1] ?? '';

/** Every way an error can be turned into text, scanned for every secret. */
function expectNoSecret(error: unknown): void {
  expect(error).toBeInstanceOf(UpvestWebhooksError);
  const texts = [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
  ];
  for (const text of texts) {
    for (const secret of [TOKEN, CLIENT_SECRET, KEY_BODY]) expect(text).not.toContain(secret);
  }
}

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('secrets in errors', () => {
  it.each<[string, () => Promise<unknown>]>([
    [
      'a token request with a wrong client secret',
      async () => {
        const mock = await startMockServer({ requestSignatures: 'off' });
        try {
          const tokens = createOAuthTokenProvider({
            baseUrl: mock.url,
            clientId: mock.credentials.clientId,
            clientSecret: CLIENT_SECRET,
          });
          return await fail(
            tokens.getToken({ operation: 'list_webhooks', scopes: ['webhooks:read'] }),
          );
        } finally {
          await mock.close();
        }
      },
    ],
    [
      'an API call refused for a wrong signature',
      async () => {
        const mock = await startMockServer();
        try {
          const client = createWebhooksClient({
            baseUrl: mock.url,
            clientId: mock.credentials.clientId,
            accessToken: TOKEN,
            signer: createUpvestSigner({ keyId: mock.credentials.keyId, privateKey: PRIVATE_PEM }),
          });
          return await fail(client.list());
        } finally {
          await mock.close();
        }
      },
    ],
    [
      'a refused connection',
      async () => {
        const server = await startLoopbackServer(() => undefined);
        await server.close();
        const client = createWebhooksClient({
          baseUrl: server.url,
          clientId: 'c',
          accessToken: TOKEN,
          retry: false,
        });
        return fail(client.list());
      },
    ],
    [
      'a timeout',
      async () => {
        const server = await startLoopbackServer(() => undefined);
        try {
          const client = createWebhooksClient({
            baseUrl: server.url,
            clientId: 'c',
            accessToken: TOKEN,
            timeoutMs: 50,
            retry: false,
          });
          return await fail(client.list());
        } finally {
          await server.close();
        }
      },
    ],
    [
      'a token with characters a header cannot carry',
      () => {
        const client = createWebhooksClient({
          baseUrl: 'https://sandbox.upvest.co',
          clientId: 'c',
          accessToken: `${TOKEN}\n`,
        });
        return fail(client.list());
      },
    ],
    [
      'an unreadable private key',
      () =>
        Promise.resolve().then(async () => {
          try {
            await signRequest(
              { method: 'GET', url: 'https://x.tld/', headers: {} },
              { keyId: 'k', privateKey: PRIVATE_PEM.replace('MI', 'XX') },
            );
            return undefined;
          } catch (error) {
            return error;
          }
        }),
    ],
  ])('should keep every secret out of the error for %s', async (_name, trigger) => {
    expectNoSecret(await trigger());
  });
});
